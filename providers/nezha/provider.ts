import type { AxiosResponse } from 'axios'
import { LoginRejectedError, NotSupportedError, ProviderApiError, ProviderAuthError, ProviderHttpError, ProviderResponseError, TokenSession, credentialId, send, type CallOptions, type InstanceData, type LoginResult, type PowerOnMode, type Provider, type ProviderCapabilities, type ProviderDeps } from '../../src/index.js'
import { checkNezha, fromV0, fromV1, type V0Envelope, type V0Server, type V1Envelope, type V1Server } from './map.js'
import type { NezhaConfig } from './schema.js'

type Mode = 'v0' | 'v1-login' | 'v1-pat'

const UNAUTHORIZED = /ApiErrorUnauthorized/
const LOGIN_TIMEOUT_MS = 30_000

/**
 * A Nezha dashboard (reference/providers.md §2). Servers become instances; Nezha has no power control
 * (§2, "Nezha has no power control at all"), so both power verbs reject with NotSupportedError.
 *
 * - v0: `GET /api/v1/server/details[?tag=]` with the raw token; a bad token is HTTP 200 `{"code":403}`.
 * - v1/v2 login: `POST /api/v1/login` → JWT (`Bearer`, 1 h by default, bound to the client IP), renewed
 *   when past `expire` or on `ApiErrorUnauthorized` (once, shared); `GET /api/v1/server`.
 * - v2 personal access token `nzp_…`: `Bearer`, no login; a bad one is HTTP 401.
 * - `apiVersion: "auto"`: username/password or an `nzp_` token mean v1; any other token is tried on the
 *   v0 endpoint and the answer's envelope decides.
 */
export class NezhaProvider implements Provider {
  readonly capabilities: ProviderCapabilities = { powerOn: false, powerOff: false, noGpuMode: false, releaseAfterStopSeconds: null }

  readonly #config: NezhaConfig
  readonly #deps: ProviderDeps
  readonly #session: TokenSession
  readonly #now: () => Date
  #mode: Mode | null

  constructor (config: NezhaConfig, deps: ProviderDeps, now: () => Date = () => new Date()) {
    this.#config = config
    this.#deps = deps
    this.#now = now
    const pat = config.token?.startsWith('nzp_') ?? false
    // An explicit apiVersion is obeyed; `auto` detects a raw token's version from the first answer.
    this.#mode = config.token === undefined ? 'v1-login' : pat || config.apiVersion === 'v1' ? 'v1-pat' : config.apiVersion === 'v0' ? 'v0' : null
    deps.secrets.add(config.password)
    this.#session = new TokenSession({
      label: 'Nezha',
      store: deps.store,
      onLogin: deps.onLogin,
      log: deps.log,
      secrets: deps.secrets,
      staticToken: config.token,
      staticHint: pat
        ? 'create a new personal access token (scope nezha:inventory:read) and put it in "token"'
        : 'create a new API token in the dashboard (avatar → API Token) and put it in "token"',
      credentialId: config.username === undefined ? undefined : credentialId(config.baseUrl, config.username, config.password ?? ''),
      login: config.username === undefined ? undefined : () => this.#logIn(),
      now: () => now().getTime()
    })
  }

  /** v1 login: get a JWT. Tokens need nothing here; with `auto`, the first list call detects the version. */
  async authenticate (): Promise<void> {
    if (this.#mode === 'v1-login') await this.#session.token()
  }

  async listInstances (options: CallOptions = {}): Promise<InstanceData[]> {
    const ctx = { baseUrl: this.#config.baseUrl, offlineAfterSeconds: this.#config.offlineAfterSeconds, now: this.#now() }
    if (this.#mode === 'v1-login' || this.#mode === 'v1-pat') {
      return (await this.#listV1(options.signal)).map(s => fromV1(s, ctx))
    }
    return (await this.#listV0(options.signal)).map(s => fromV0(s, ctx))
  }

  async powerOn (_instanceId: string, _options: CallOptions & { mode: PowerOnMode }): Promise<void> {
    throw new NotSupportedError('powerOn', 'nezha')
  }

  async powerOff (_instanceId: string, _options?: CallOptions): Promise<void> {
    throw new NotSupportedError('powerOff', 'nezha')
  }

  async #listV0 (signal: AbortSignal | undefined): Promise<V0Server[]> {
    const token = await this.#session.token()
    const what = 'Nezha GET /api/v1/server/details'
    const response = await this.#get('/api/v1/server/details', { Authorization: token }, signal, this.#config.tag ? { tag: this.#config.tag } : undefined)
    const body = response.data as Partial<V0Envelope> | undefined
    if (typeof body !== 'object' || body === null || typeof body.code !== 'number') {
      if (this.#mode === null) {
        throw new ProviderAuthError('this dashboard does not answer like Nezha v0 (it looks like v1/v2): a v0 API token does not work there; ' +
          'set username and password, or a personal access token nzp_…')
      }
      throw new ProviderResponseError(`${what}: the answer is not a Nezha v0 envelope {code, message, result}`)
    }
    this.#mode = 'v0'
    if (body.code === 403) await this.#session.renew(token, body.message ?? 'code 403') // a static token: always throws
    if (body.code !== 0) throw new ProviderApiError(String(body.code), body.message ?? '', what)
    return checkNezha<V0Server[]>('v0Servers', body.result ?? [], what)
  }

  async #listV1 (signal: AbortSignal | undefined): Promise<V1Server[]> {
    const what = 'Nezha GET /api/v1/server'
    let token = await this.#session.token()
    let envelope = await this.#v1(await this.#get('/api/v1/server', { Authorization: `Bearer ${token}` }, signal), what)
    if (!envelope.success && UNAUTHORIZED.test(envelope.error ?? '')) {
      this.#deps.log.info('Nezha token rejected; logging in again')
      token = await this.#session.renew(token, envelope.error ?? 'ApiErrorUnauthorized')
      envelope = await this.#v1(await this.#get('/api/v1/server', { Authorization: `Bearer ${token}` }, signal), what)
      // A fresh token rejected counts as a failed login: renew throws, as the next login must wait.
      if (!envelope.success && UNAUTHORIZED.test(envelope.error ?? '')) await this.#session.renew(token, envelope.error ?? 'ApiErrorUnauthorized')
      if (!envelope.success && UNAUTHORIZED.test(envelope.error ?? '')) throw new ProviderAuthError(`Nezha rejected a freshly issued token (${envelope.error})`)
    }
    await this.#session.accepted(token)
    if (!envelope.success) throw new ProviderApiError('error', envelope.error ?? '', what)
    return checkNezha<V1Server[]>('v1Servers', envelope.data ?? [], what)
  }

  async #logIn (): Promise<LoginResult> {
    const what = 'Nezha POST /api/v1/login'
    const response = await send(this.#deps.http, {
      method: 'POST',
      url: `${this.#config.baseUrl}/api/v1/login`,
      data: { username: this.#config.username, password: this.#config.password },
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      signal: AbortSignal.timeout(LOGIN_TIMEOUT_MS)
    }, what)
    if (response.status === 403) throw new LoginRejectedError('HTTP 403: the dashboard blocked this IP (WAF) after failed logins', { captcha: true })
    const envelope = await this.#v1(response, what)
    if (!envelope.success) throw new LoginRejectedError(envelope.error ?? 'login refused', { captcha: /block|waf|too many/i.test(envelope.error ?? '') })
    const data = checkNezha<{ token: string; expire?: string }>('v1Login', envelope.data, what)
    const expiresAt = data.expire ? Date.parse(data.expire) : NaN
    return { token: data.token, expiresAt: Number.isNaN(expiresAt) ? null : expiresAt }
  }

  async #v1 (response: AxiosResponse, what: string): Promise<V1Envelope> {
    const body = response.data as Partial<V1Envelope> | undefined
    if (typeof body !== 'object' || body === null || typeof body.success !== 'boolean') {
      if (response.status !== 200) throw new ProviderHttpError(`${what}: HTTP ${response.status}`, response.status)
      throw new ProviderResponseError(`${what}: the answer is not a Nezha v1 envelope {success, data, error}`)
    }
    return body as V1Envelope
  }

  async #get (path: string, headers: Record<string, string>, signal: AbortSignal | undefined, params?: Record<string, string>): Promise<AxiosResponse> {
    return await send(this.#deps.http, {
      method: 'GET', url: `${this.#config.baseUrl}${path}`, params, headers: { accept: 'application/json', ...headers }, signal
    }, `Nezha GET ${path}`)
  }
}

import type { AxiosResponse } from 'axios'
import { LoginRejectedError, NotSupportedError, ProviderApiError, ProviderAuthError, ProviderHttpError, ProviderResponseError, READ_ONLY, TokenSession, credentialId, formatAjvErrors, send, type CallOptions, type InstanceData, type LoginResult, type PowerOnMode, type Provider, type ProviderCapabilities, type ProviderDeps } from '../../src/index.js'
import type { OnecloudConfig } from './schema.js'
import { deviceIds, onecloudPwd, signBody, signQuery } from './client.js'
import { toInstance, validPeers, type RawDevice } from './map.js'

/** The app's User-Agent in the captures (§5.1). */
const USER_AGENT = 'MineCrafter3/1.6.2 (iPhone; iOS 11.3.1; Scale/2.00)'
const LOGIN_TIMEOUT_MS = 30_000

interface Session { sessionid: string; userid: string }
/**
 * A Thunder OneCloud (玩客云) account, EXPERIMENTAL: reverse-engineered from JKerCloudMonitor (2019);
 * the service is believed defunct (reference/providers.md §5.5). Read-only: the API has no power control.
 * - Login: form POST to `/user/login` with the shuffled-MD5 `pwd` and a `sign`; the session is the
 *   `sessionid`/`userid` cookies, kept like a token (and renewed once when `listPeer` stops answering `rtn: 0`).
 * - `listPeer` (signed GET with the cookies): devices → instances, `online` → running, else offline.
 */
export class OnecloudProvider implements Provider {
  readonly capabilities: ProviderCapabilities = { powerOn: false, powerOff: false, noGpuMode: false, releaseAfterStopSeconds: null }

  readonly #config: OnecloudConfig
  readonly #deps: ProviderDeps
  readonly #session: TokenSession

  constructor (config: OnecloudConfig, deps: ProviderDeps) {
    this.#config = config
    this.#deps = deps
    deps.secrets.add(config.password)
    this.#session = new TokenSession({
      label: 'OneCloud',
      store: deps.store,
      onLogin: deps.onLogin,
      log: deps.log,
      secrets: deps.secrets,
      credentialId: credentialId(config.accountBaseUrl, config.user, onecloudPwd(config.password)),
      login: () => this.#logIn()
    })
  }

  async authenticate (): Promise<void> {
    await this.#session.token()
  }

  async listInstances (options: CallOptions = {}): Promise<InstanceData[]> {
    let token = await this.#session.token()
    let body = await this.#listPeer(JSON.parse(token) as Session, options.signal)
    if (body.rtn !== 0) {
      this.#deps.log.info({ rtn: body.rtn }, 'OneCloud session refused; logging in again')
      token = await this.#session.renew(token, `rtn ${body.rtn}`)
      body = await this.#listPeer(JSON.parse(token) as Session, options.signal)
      // A fresh session refused counts as a failed login: renew throws, as the next login must wait.
      if (body.rtn !== 0) await this.#session.renew(token, `rtn ${body.rtn}${body.msg ? ` (${body.msg})` : ''}`)
      if (body.rtn !== 0) throw new ProviderApiError(`rtn ${body.rtn}`, body.msg ?? '', 'OneCloud listPeer')
    }
    await this.#session.accepted(token)
    const devices = (body.result?.[1] as { devices: RawDevice[] } | undefined)?.devices ?? []
    return devices.map(toInstance)
  }

  async powerOn (_instanceId: string, _options: CallOptions & { mode: PowerOnMode }): Promise<void> {
    throw new NotSupportedError('powerOn', 'onecloud')
  }

  async powerOff (_instanceId: string, _options?: CallOptions): Promise<void> {
    throw new NotSupportedError('powerOff', 'onecloud')
  }

  async #logIn (): Promise<LoginResult> {
    const { user, password, appVersion, accountBaseUrl } = this.#config
    const email = user.includes('@')
    const params: Record<string, string> = {
      ...deviceIds(user),
      ...(email ? { mail: user, account_type: '5', phone_area: 'Email' } : { phone: user, account_type: '4' }),
      pwd: onecloudPwd(password)
    }
    const what = 'OneCloud POST /user/login'
    const response = await send(this.#deps.http, {
      method: 'POST',
      url: `${accountBaseUrl}/user/login`,
      params: { appversion: appVersion },
      data: new URLSearchParams({ ...params, sign: signBody(params) }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': USER_AGENT },
      signal: AbortSignal.timeout(LOGIN_TIMEOUT_MS)
    }, what)
    const body = json<{ iRet?: number; sMsg?: string }>(response, what)
    if (body.iRet !== 0) throw new LoginRejectedError(`iRet ${String(body.iRet)}${body.sMsg ? ` (${body.sMsg})` : ''}`)
    const cookies = cookieValues(response.headers['set-cookie'])
    if (!cookies['sessionid'] || !cookies['userid']) throw new ProviderAuthError(`${what}: logged in, but no sessionid/userid cookie came back`)
    this.#deps.secrets.add(cookies['sessionid'])
    return { token: JSON.stringify({ sessionid: cookies['sessionid'], userid: cookies['userid'] } satisfies Session) }
  }

  async #listPeer (session: Session, signal: AbortSignal | undefined): Promise<{ rtn: number; msg?: string; result?: unknown[] }> {
    const what = 'OneCloud GET /listPeer'
    const signed = { appversion: this.#config.appVersion, ct: '2', userid: session.userid, v: '3' }
    const response = await send(this.#deps.http, {
      method: 'GET',
      url: `${this.#config.controlBaseUrl}/listPeer`,
      params: { 'X-LICENCE-PUB': '1', appversion: signed.appversion, ct: '2', sign: signQuery(signed, session.sessionid), userid: session.userid, v: '3' },
      headers: { cookie: `sessionid=${session.sessionid}; userid=${session.userid}`, 'user-agent': USER_AGENT },
      signal,
      ...READ_ONLY
    }, what)
    const body = json<{ rtn: number; msg?: string; result?: unknown[] }>(response, what)
    if (!validPeers(body)) throw new ProviderResponseError(`${what}: unexpected answer: ${formatAjvErrors(validPeers.errors, 'data')[0]}`)
    return body
  }
}

function json<T> (response: AxiosResponse, what: string): T {
  if (response.status !== 200) throw new ProviderHttpError(`${what}: HTTP ${response.status}`, response.status)
  if (typeof response.data !== 'object' || response.data === null) throw new ProviderResponseError(`${what}: the answer is not JSON`)
  return response.data as T
}

function cookieValues (header: string[] | string | undefined): Record<string, string> {
  const lines = Array.isArray(header) ? header : header ? [header] : []
  return Object.fromEntries(lines.map(line => (line.split(';')[0] ?? '').split('=')).filter(p => p.length >= 2).map(([k, ...v]) => [k!.trim(), v.join('=').trim()]))
}

import type { AxiosInstance } from 'axios'
import type { Keyv } from 'keyv'
import { LoginRejectedError, ProviderApiError, ProviderAuthError, ProviderHttpError, ProviderResponseError, READ_ONLY, TokenSession, credentialId, send, type Logger, type LoginResult, type ProviderDeps, type SecretRegistry } from '../../src/index.js'
import { checkPayload, type Envelope } from './map.js'
import type { AutodlConfig } from './schema.js'

/** Sent like the web console does (seed 000); harmless if the server ignores it (§1.1). */
const APP_VERSION = 'v5.57.0'
/** Budget of one login (new_login + passport), milliseconds; independent of any caller's signal. */
const LOGIN_TIMEOUT_MS = 30_000
const AUTHORIZE_FAILED = 'AuthorizeFailed'

export interface AutodlClientOptions {
  config: AutodlConfig
  http: AxiosInstance
  store: Keyv
  log: Logger
  secrets: SecretRegistry
  /** Clock in milliseconds, for tests. */
  now?: (() => number) | undefined
  /** Told the outcome of every login (see `ProviderDeps.onLogin`). */
  onLogin?: ProviderDeps['onLogin']
}

export interface CallOptions {
  signal?: AbortSignal | undefined
  /** The call only reads, so transport failures may be retried. */
  readOnly?: boolean
  /** `GET` (without a body) instead of `POST`; a GET always only reads. */
  method?: 'GET' | 'POST'
}

/**
 * AutoDL web API transport: the envelope, the raw `authorization` token, and login.
 *
 * - Login is `new_login` (SHA-1 password) → `data.ticket` → `passport` → `data.token` (§1.3). The
 *   token is stored in the entry's keyv namespace and reused after a restart.
 * - An expired token shows as HTTP 200 `code: "AuthorizeFailed"` (or HTTP 401/403). The client then
 *   logs in again ONCE and repeats the call; concurrent calls share that login ({@link TokenSession}).
 * - A refused login is not retried in a loop (back-off, see {@link TokenSession}).
 */
export class AutodlClient {
  readonly #config: AutodlConfig
  readonly #http: AxiosInstance
  readonly #log: Logger
  readonly #session: TokenSession

  constructor (options: AutodlClientOptions) {
    const { config } = options
    this.#config = config
    this.#http = options.http
    this.#log = options.log
    options.secrets.add(config.passwordSha1)
    this.#session = new TokenSession({
      label: 'AutoDL',
      store: options.store,
      log: options.log,
      secrets: options.secrets,
      now: options.now,
      onLogin: options.onLogin,
      staticToken: config.token,
      staticHint: 'copy a fresh one from the browser into this entry\'s "token", or configure phone and password instead',
      credentialId: config.passwordSha1 === undefined ? undefined : credentialId(config.phoneArea, config.phone, config.passwordSha1),
      login: config.passwordSha1 === undefined ? undefined : () => this.#logIn()
    })
  }

  /** Make sure a token is at hand: the pasted one, the stored one, or a fresh login. */
  async authenticate (): Promise<void> {
    await this.#session.token()
  }

  /**
   * POST `path` with `body` (or GET it, `options.method`) and the token; return `data` of a `Success` envelope.
   * @throws ProviderAuthError when no valid token can be had; ProviderApiError for any other AutoDL
   *   `code` (with its `msg`); ProviderHttpError / ProviderTimeoutError / ProviderResponseError.
   */
  async call (path: string, body: object, options: CallOptions = {}): Promise<unknown> {
    let token = await this.#session.token()
    let envelope = await this.#post(path, body, token, options)
    if (sessionExpired(envelope)) {
      this.#log.info({ path }, 'AutoDL token rejected; logging in again')
      token = await this.#session.renew(token, envelope.msg || AUTHORIZE_FAILED)
      envelope = await this.#post(path, body, token, options)
      // A fresh token rejected counts as a failed login: renew throws, as the next login must wait.
      if (sessionExpired(envelope)) await this.#session.renew(token, envelope.msg || AUTHORIZE_FAILED)
      if (sessionExpired(envelope)) {
        throw new ProviderAuthError(`AutoDL rejected a freshly issued token on ${path} (${envelope.msg ?? ''})`)
      }
    }
    await this.#session.accepted(token)
    if (envelope.code !== 'Success') throw new ProviderApiError(envelope.code, envelope.msg ?? '', `AutoDL ${path}`)
    return envelope.data ?? null
  }

  async #logIn (): Promise<LoginResult> {
    const config = this.#config
    const signal = AbortSignal.timeout(LOGIN_TIMEOUT_MS)
    const login = await this.#post('/api/v1/new_login', {
      phone: config.phone, password: config.passwordSha1, v_code: '', phone_area: config.phoneArea, picture_id: null
    }, null, { signal })
    if (login.code !== 'Success') {
      const captcha = /captcha|v_?code|picture/i.test(login.code) || /验证码/.test(login.msg ?? '')
      throw new LoginRejectedError(`${login.code}${login.msg ? ` (${login.msg})` : ''}`, { captcha })
    }
    const { ticket } = checkPayload('loginData', login.data, 'AutoDL POST /api/v1/new_login')
    const passport = await this.#post('/api/v1/passport', { ticket }, null, { signal })
    if (passport.code !== 'Success') throw new ProviderAuthError(`AutoDL passport failed: ${passport.code} (${passport.msg ?? ''})`)
    return { token: checkPayload('passportData', passport.data, 'AutoDL POST /api/v1/passport').token }
  }

  async #post (path: string, body: object, token: string | null, options: CallOptions): Promise<Envelope> {
    const method = options.method ?? 'POST'
    const what = `AutoDL ${method} ${path}`
    const response = await send(this.#http, {
      method,
      url: `${this.#config.baseUrl}${path}`,
      ...(method === 'POST' ? { data: body } : {}),
      headers: {
        accept: 'application/json, text/plain, */*',
        ...(method === 'POST' ? { 'content-type': 'application/json;charset=UTF-8' } : {}),
        appversion: APP_VERSION,
        ...(token === null ? {} : { authorization: token })
      },
      signal: options.signal,
      ...(options.readOnly ? READ_ONLY : {})
    }, what)
    if (response.status === 401 || response.status === 403) return { code: AUTHORIZE_FAILED, msg: `HTTP ${response.status}` }
    if (response.status !== 200) throw new ProviderHttpError(`${what}: HTTP ${response.status}`, response.status)
    const envelope = response.data as Envelope | undefined
    if (typeof envelope !== 'object' || envelope === null || typeof envelope.code !== 'string') {
      throw new ProviderResponseError(`${what}: the answer is not an AutoDL envelope {code, msg, data}`)
    }
    return envelope
  }
}

/**
 * Does this answer say the session expired? `code: "AuthorizeFailed"` (xiaoti12/autodl_bot,
 * `client/autodl.go`, `GetInstances`), or — as John08066/autodl_gpu_watcher's `_check_login_response`
 * (`src/autodl_watcher/collectors/platform.py`) also reads it — any other failing code whose `msg` asks to
 * log in again because the login timed out or lapsed (`登录超时，请重新登录`, `登录失效…重新登录`; AutoDL
 * also writes `登陆`).
 */
export function sessionExpired (envelope: Envelope): boolean {
  if (envelope.code === AUTHORIZE_FAILED) return true
  const msg = envelope.msg ?? ''
  return envelope.code !== 'Success' && msg.includes('重新登录') && /登[录陆](超时|失效|过期)/.test(msg)
}

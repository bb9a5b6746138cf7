import { createHash } from 'node:crypto'
import type { Keyv } from 'keyv'
import { ProviderAuthError } from './errors.js'
import type { Logger } from './logger.js'
import type { SecretRegistry } from './secrets.js'
import type { LoginOutcome } from './telemetry.js'

/** What a login produced. */
export interface LoginResult {
  /** Bearer token, JWT, or serialized session cookies. */
  token: string
  /** When it stops working, milliseconds since the epoch; null if unknown (then only a rejection renews it). */
  expiresAt?: number | null
}

/**
 * Thrown by a login function when the provider refused the credentials (as opposed to a network or
 * server failure). It counts towards the login back-off.
 */
export class LoginRejectedError extends ProviderAuthError {
  override name = 'LoginRejectedError'
  /** The provider asks for a captcha (or has blocked the client): wait the longest back-off at once. */
  readonly captcha: boolean

  constructor (reason: string, options: { captcha?: boolean } = {}) {
    super(reason)
    this.captcha = options.captcha ?? false
  }
}

/** A token obtained by logging in, in the entry's keyv namespace. */
export interface StoredSession {
  token: string
  /** Which credentials produced it (a hash, see {@link credentialId}); a token of other credentials is ignored. */
  credentialId: string
  obtainedAt: string
  /** Milliseconds since the epoch, or null. */
  expiresAt: number | null
}

/**
 * Persisted after every login that no successful call has confirmed yet — a refused login, or a token
 * the provider issued and then rejected — so neither polling, nor a restart, nor a provider that
 * rejects its own fresh tokens loops on the login endpoint. Deleted by the first call that succeeds.
 */
export interface LoginBlock {
  credentialId: string
  /** Consecutive logins with these credentials that no successful call confirmed. */
  failures: number
  /** No login before this time, milliseconds since the epoch. */
  until: number
  /** Why: the provider's words. */
  reason: string
}

/** First back-off after a refused login (5 min), doubled per failure up to {@link MAX_BACKOFF_MS} (6 h). */
export const FIRST_BACKOFF_MS = 5 * 60_000
export const MAX_BACKOFF_MS = 6 * 3600_000
/** A token this close to its `expiresAt` is renewed before use, milliseconds. */
const EXPIRY_MARGIN_MS = 30_000

const SESSION_KEY = 'session'
const BLOCK_KEY = 'login-block'

/** Stable, non-reversible id of a set of credentials (hash of its parts). */
export function credentialId (...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32)
}

export interface TokenSessionOptions {
  /** Provider name for messages, e.g. `AutoDL`. */
  label: string
  store: Keyv
  log: Logger
  secrets: SecretRegistry
  /** Log in; throw {@link LoginRejectedError} when the provider refuses the credentials. Absent: `staticToken` only. */
  login?: (() => Promise<LoginResult>) | undefined
  /** Hash of the credentials `login` uses (see {@link credentialId}). */
  credentialId?: string | undefined
  /** A token given in the config (pasted, API key): used as is, never renewed. */
  staticToken?: string | undefined
  /** What to tell the user when the static token is rejected. */
  staticHint?: string | undefined
  /** Clock in milliseconds, for tests. */
  now?: () => number
  /** Told the outcome of every login attempted (the provider's `deps.onLogin`). */
  onLogin?: ((outcome: LoginOutcome) => void) | undefined
}

/**
 * A provider's credentials over time: the token in memory, the one stored from an earlier run, or a
 * fresh login — and, when the provider rejects a token, exactly one shared re-login (single-flight:
 * concurrent callers that met the same rejected token wait for the same login).
 *
 * The one login rule of every provider (AutoDL and others captcha or lock accounts that log in too
 * often): an entry never logs in again within 5 minutes of its last login — doubling per login to 6 h
 * (6 h at once for a captcha) — unless a call with the previous token succeeded in between. A refused
 * login and a fresh token the provider rejects both count. The provider reports success with
 * {@link TokenSession.accepted}. The wait is persisted, so a restart does not reset it; new
 * credentials (a new credential id) start afresh. A login that never reached the provider (network
 * error, timeout) does not count.
 */
export class TokenSession {
  readonly #options: TokenSessionOptions
  readonly #now: () => number
  #token: string | null
  #expiresAt: number | null = null
  #login: Promise<string> | null = null
  /** A login block may be stored that a successful call should clear (unknown at start: assume so). */
  #unconfirmed = true

  constructor (options: TokenSessionOptions) {
    this.#options = options
    this.#now = options.now ?? Date.now
    this.#token = options.staticToken ?? null
    options.secrets.add(options.staticToken)
    if (!options.staticToken && !options.login) throw new Error(`${options.label}: a TokenSession needs a login or a static token`)
  }

  /** A token to use now: in memory, stored, or from a (shared) login. */
  async token (): Promise<string> {
    if (this.#token !== null && !this.#expired()) return this.#token
    if (this.#options.staticToken === undefined && this.#token === null) {
      const stored = await this.#stored()
      if (stored && this.#token === null) {
        this.#options.secrets.add(stored.token)
        this.#token = stored.token
        this.#expiresAt = stored.expiresAt
        if (!this.#expired()) return stored.token
      }
    }
    if (this.#options.staticToken !== undefined) return this.#options.staticToken
    return await this.#loginOnce()
  }

  /**
   * The provider rejected `stale`: return a newer token — someone else's fresh login, or one shared
   * new login.
   * @throws ProviderAuthError for a static token (it cannot be renewed), or when logging in is refused or must wait.
   */
  renew (stale: string, reason: string): Promise<string> {
    if (this.#token !== null && this.#token !== stale && !this.#expired()) return Promise.resolve(this.#token)
    if (this.#options.staticToken !== undefined) {
      return Promise.reject(new ProviderAuthError(`${this.#options.label} rejected the configured token (${reason})${this.#options.staticHint ? `; ${this.#options.staticHint}` : ''}`))
    }
    this.#token = null
    this.#login ??= this.#noteRejected(stale, reason).then(async () => await this.#logIn()).finally(() => { this.#login = null })
    return this.#login
  }

  /**
   * A call with `token` succeeded (the provider accepted it, whatever else it answered): the next
   * login may happen as soon as a token is rejected. Cheap when there is nothing to clear.
   */
  async accepted (token: string): Promise<void> {
    if (!this.#unconfirmed || token !== this.#token || this.#options.staticToken !== undefined) return
    this.#unconfirmed = false
    await this.#options.store.delete(BLOCK_KEY)
  }

  /**
   * Forget the rejected token (also the stored copy, so neither this run nor the next uses it again), and
   * if no call had confirmed it, say so in the stored block (which already holds the wait).
   */
  async #noteRejected (stale: string, reason: string): Promise<void> {
    const store = this.#options.store
    if ((await store.get<StoredSession>(SESSION_KEY))?.token === stale) await store.delete(SESSION_KEY)
    const block = await store.get<LoginBlock>(BLOCK_KEY)
    if (block?.credentialId !== (this.#options.credentialId ?? '') || block.until <= this.#now()) return
    await store.set(BLOCK_KEY, { ...block, reason: `it rejected the token its last login issued (${reason})` })
  }

  #expired (): boolean {
    return this.#expiresAt !== null && this.#expiresAt - EXPIRY_MARGIN_MS <= this.#now()
  }

  #loginOnce (): Promise<string> {
    this.#login ??= this.#logIn().finally(() => { this.#login = null })
    return this.#login
  }

  async #logIn (): Promise<string> {
    const { label, store, log, secrets, login } = this.#options
    const id = this.#options.credentialId ?? ''
    const block = await store.get<LoginBlock>(BLOCK_KEY)
    const same = block?.credentialId === id
    if (same && block.until > this.#now()) {
      throw new ProviderAuthError(`${label} login waits: ${block.reason}; not trying again until ${new Date(block.until).toISOString()} ` +
        'because repeated logins bring a captcha or lock the account. Fix the credentials, or wait')
    }
    const failures = same ? block.failures + 1 : 1
    const backoff = Math.min(FIRST_BACKOFF_MS * 2 ** (failures - 1), MAX_BACKOFF_MS)
    let result: LoginResult
    try {
      result = await login!()
    } catch (err) {
      this.#options.onLogin?.(err instanceof LoginRejectedError ? 'rejected' : 'failure')
      if (!(err instanceof LoginRejectedError)) throw err
      const next: LoginBlock = { credentialId: id, failures, until: this.#now() + (err.captcha ? MAX_BACKOFF_MS : backoff), reason: `the last login was refused (${err.message})` }
      await store.set(BLOCK_KEY, next)
      this.#unconfirmed = true
      log.warn({ reason: err.message, failures, retryAfter: new Date(next.until).toISOString() }, `${label} login failed`)
      throw new ProviderAuthError(`${label} login failed: ${err.message}${err.captcha ? `; ${label} asks for a captcha (or blocked this client): log in once in a browser` : ''}; next attempt after ${new Date(next.until).toISOString()}`)
    }
    this.#options.onLogin?.('success')
    secrets.add(result.token)
    this.#token = result.token
    this.#expiresAt = result.expiresAt ?? null
    // Until a call accepts the new token, another login waits like after a refusal.
    await store.set(BLOCK_KEY, { credentialId: id, failures, until: this.#now() + backoff, reason: `the last login (${new Date(this.#now()).toISOString()}) is not confirmed by a successful call yet` } satisfies LoginBlock)
    this.#unconfirmed = true
    await store.set(SESSION_KEY, { token: result.token, credentialId: id, obtainedAt: new Date(this.#now()).toISOString(), expiresAt: this.#expiresAt } satisfies StoredSession)
    log.info(`${label} login ok`)
    return result.token
  }

  async #stored (): Promise<StoredSession | null> {
    const session = await this.#options.store.get<StoredSession>(SESSION_KEY)
    return session?.credentialId === (this.#options.credentialId ?? '') ? session : null
  }
}

import { createHash } from 'node:crypto'
import type { Keyv } from 'keyv'

/** A token obtained by logging in, kept in the entry's keyv namespace so it survives a restart. */
export interface StoredSession {
  token: string
  /** Which credentials produced it (a hash, see {@link credentialId}); a token of other credentials is ignored. */
  credentialId: string
  /** When it was obtained, ISO 8601. */
  obtainedAt: string
}

/** Persisted after a failed login, so that neither polling nor a restart loops on the login endpoint. */
export interface LoginBlock {
  credentialId: string
  /** Consecutive failed logins with these credentials. */
  failures: number
  /** No login before this time, milliseconds since the epoch. */
  until: number
  /** AutoDL's words, e.g. `PasswordWrong (密码错误)`. */
  reason: string
}

/** First back-off after a failed login (5 min), doubled per failure up to {@link MAX_BACKOFF_MS} (6 h). */
export const FIRST_BACKOFF_MS = 5 * 60_000
export const MAX_BACKOFF_MS = 6 * 3600_000

const SESSION_KEY = 'session'
const BLOCK_KEY = 'login-block'

/** Stable, non-reversible id of a phone + password pair: the keys of {@link StoredSession} and {@link LoginBlock}. */
export function credentialId (phoneArea: string, phone: string, passwordSha1: string): string {
  return createHash('sha256').update(`${phoneArea}|${phone}|${passwordSha1}`).digest('hex').slice(0, 32)
}

/** Reads and writes an AutoDL entry's session state in its keyv namespace. */
export class SessionStore {
  readonly #store: Keyv
  readonly #credentialId: string

  constructor (store: Keyv, credentialId_: string) {
    this.#store = store
    this.#credentialId = credentialId_
  }

  /** The stored token of these credentials, or null. */
  async token (): Promise<string | null> {
    const session = await this.#store.get<StoredSession>(SESSION_KEY)
    return session?.credentialId === this.#credentialId ? session.token : null
  }

  async saveToken (token: string, now: Date): Promise<void> {
    await this.#store.set(SESSION_KEY, { token, credentialId: this.#credentialId, obtainedAt: now.toISOString() } satisfies StoredSession)
    await this.#store.delete(BLOCK_KEY)
  }

  async dropToken (): Promise<void> {
    await this.#store.delete(SESSION_KEY)
  }

  /** The active login block of these credentials, or null. */
  async block (nowMs: number): Promise<LoginBlock | null> {
    const block = await this.#store.get<LoginBlock>(BLOCK_KEY)
    return block?.credentialId === this.#credentialId && block.until > nowMs ? block : null
  }

  /** Record a failed login and return the new block: 5 min, 10 min, 20 min … 6 h; `captcha` blocks 6 h at once. */
  async recordFailure (reason: string, nowMs: number, captcha: boolean): Promise<LoginBlock> {
    const previous = await this.#store.get<LoginBlock>(BLOCK_KEY)
    const failures = previous?.credentialId === this.#credentialId ? previous.failures + 1 : 1
    const backoff = captcha ? MAX_BACKOFF_MS : Math.min(FIRST_BACKOFF_MS * 2 ** (failures - 1), MAX_BACKOFF_MS)
    const block: LoginBlock = { credentialId: this.#credentialId, failures, until: nowMs + backoff, reason }
    await this.#store.set(BLOCK_KEY, block)
    return block
  }
}

import type { Keyv } from 'keyv'
import type { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible'
import { TooManyAttemptsError } from './errors.js'
import { accountEntryId, CHAT_ACCOUNT_PREFIX } from './visibility.js'

export { accountEntryId, CHAT_ACCOUNT_PREFIX }

/**
 * A login a chat user set with `/user` and `/password`, as stored. Only the password's one-way form
 * (the provider type's `chatAccounts.hashPassword`) is kept.
 */
export interface ChatCredentials {
  phone?: string
  phoneArea: string
  passwordHash?: string
}

/** A complete login: what becomes a provider entry. */
export type CompleteCredentials = Required<ChatCredentials>

/** Called when a user's credentials are complete (attach the entry) or removed (detach it). */
export interface AccountHooks {
  attach (userId: number, credentials: CompleteCredentials): Promise<void>
  detach (userId: number): Promise<void>
}

/**
 * Login attempts that completing credentials through the chat may cause: per chat user at most 5 an
 * hour, and per phone number at most 1 every 5 minutes whoever sends it — so the bot is neither a way to
 * get an AutoDL account locked nor a password oracle. Seconds.
 */
export const CHAT_LOGIN_LIMITS = { perUser: { points: 5, duration: 3600 }, perPhone: { points: 1, duration: 300 } } as const

/** The limiters of {@link CHAT_LOGIN_LIMITS}. */
interface LoginLimiters { perUser: RateLimiterMemory; perPhone: RateLimiterMemory; isLimit: (res: unknown) => res is RateLimiterRes }

/** Made at the first login attempt: rate-limiter-flexible (0.6 MB of heap with every store it supports) is loaded only then. */
async function loginLimiters (): Promise<LoginLimiters> {
  const { RateLimiterMemory, RateLimiterRes } = await import('rate-limiter-flexible')
  return {
    perUser: new RateLimiterMemory(CHAT_LOGIN_LIMITS.perUser),
    perPhone: new RateLimiterMemory(CHAT_LOGIN_LIMITS.perPhone),
    isLimit: (res: unknown): res is RateLimiterRes => res instanceof RateLimiterRes
  }
}

const INDEX_KEY = 'users'
const userKey = (userId: number): string => `user:${userId}`

/**
 * Accounts that chat users add for themselves, of the one provider type that declares
 * `chatAccounts`. Kept in the `accounts` keyv namespace, so they come back after a restart; each
 * complete account becomes the provider entry `tg-<userId>`, visible to that user alone.
 */
export class UserAccounts {
  readonly #store: Keyv
  readonly #hooks: AccountHooks
  readonly #hashPassword: (password: string) => string
  #limiters: Promise<LoginLimiters> | null = null

  /** @param hashPassword - the provider type's one-way form of a password; the plain text is never stored. */
  constructor (store: Keyv, hooks: AccountHooks, hashPassword: (password: string) => string) {
    this.#store = store
    this.#hooks = hooks
    this.#hashPassword = hashPassword
  }

  /** Attach every stored complete account (at start-up). Returns the user ids attached. */
  async load (): Promise<number[]> {
    const attached: number[] = []
    for (const userId of await this.#index()) {
      const credentials = await this.get(userId)
      if (isComplete(credentials)) {
        await this.#hooks.attach(userId, credentials)
        attached.push(userId)
      }
    }
    return attached
  }

  /** The user's stored credentials, or an empty record. */
  async get (userId: number): Promise<ChatCredentials> {
    const stored = await this.#store.get<ChatCredentials & { passwordSha1?: string }>(userKey(userId))
    if (stored === undefined) return { phoneArea: '+86' }
    // Records written before the field was renamed kept the (AutoDL) hash as `passwordSha1`.
    const { passwordSha1, ...credentials } = stored
    return passwordSha1 !== undefined && credentials.passwordHash === undefined ? { ...credentials, passwordHash: passwordSha1 } : credentials
  }

  /**
   * Set the phone. Replacing a different phone drops the stored password (it belonged to the other
   * login); a password set before any phone is kept. Returns the record and whether it is complete (and attached).
   */
  async setPhone (userId: number, phone: string, phoneArea: string): Promise<{ credentials: ChatCredentials; complete: boolean }> {
    const previous = await this.get(userId)
    const otherLogin = previous.phone !== undefined && (previous.phone !== phone || previous.phoneArea !== phoneArea)
    const credentials: ChatCredentials = otherLogin ? { phone, phoneArea } : { ...previous, phone, phoneArea }
    return await this.#save(userId, credentials, previous)
  }

  /** Set the password (only its hash is stored). Returns the record and whether it is complete (and attached). */
  async setPassword (userId: number, password: string): Promise<{ credentials: ChatCredentials; complete: boolean }> {
    const previous = await this.get(userId)
    return await this.#save(userId, { ...previous, passwordHash: this.#hashPassword(password) }, previous)
  }

  /** Delete the user's credentials and detach their entry. Returns false if there was nothing. */
  async forget (userId: number): Promise<boolean> {
    const existed = await this.#store.delete(userKey(userId))
    await this.#store.set(INDEX_KEY, (await this.#index()).filter(id => id !== userId))
    await this.#hooks.detach(userId)
    return existed
  }

  /**
   * @throws TooManyAttemptsError when new complete credentials (which make the host log in) exceed
   *   {@link CHAT_LOGIN_LIMITS}; nothing is saved then.
   */
  async #save (userId: number, credentials: ChatCredentials, previous: ChatCredentials): Promise<{ credentials: ChatCredentials; complete: boolean }> {
    // New complete credentials make the host log in; the same ones again reuse the stored session.
    const changed = previous.phone !== credentials.phone || previous.phoneArea !== credentials.phoneArea || previous.passwordHash !== credentials.passwordHash
    const complete = isComplete(credentials)
    if (complete && changed) await this.#countLoginAttempt(userId, `${credentials.phoneArea} ${credentials.phone}`)
    await this.#store.set(userKey(userId), credentials)
    const index = await this.#index()
    if (!index.includes(userId)) await this.#store.set(INDEX_KEY, [...index, userId])
    if (complete) await this.#hooks.attach(userId, credentials)
    return { credentials, complete }
  }

  async #countLoginAttempt (userId: number, phone: string): Promise<void> {
    const { perUser, perPhone, isLimit } = await (this.#limiters ??= loginLimiters())
    const refused = (res: unknown, limit: 'per-user' | 'per-phone'): TooManyAttemptsError => {
      if (!isLimit(res)) return res as TooManyAttemptsError
      return new TooManyAttemptsError(`too many login attempts (${limit}); try again after ${new Date(Date.now() + res.msBeforeNext).toISOString()}`, new Date(Date.now() + res.msBeforeNext), limit)
    }
    await perUser.consume(String(userId)).catch((res: unknown) => { throw refused(res, 'per-user') })
    await perPhone.consume(phone).catch(async (res: unknown) => {
      await perUser.reward(String(userId)) // this attempt did not happen
      throw refused(res, 'per-phone')
    })
  }

  async #index (): Promise<number[]> {
    return await this.#store.get<number[]>(INDEX_KEY) ?? []
  }
}

function isComplete (c: ChatCredentials): c is CompleteCredentials {
  return typeof c.phone === 'string' && typeof c.passwordHash === 'string'
}

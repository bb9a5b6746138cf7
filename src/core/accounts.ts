import type { Keyv } from 'keyv'
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
    return await this.#save(userId, credentials)
  }

  /** Set the password (only its hash is stored). Returns the record and whether it is complete (and attached). */
  async setPassword (userId: number, password: string): Promise<{ credentials: ChatCredentials; complete: boolean }> {
    return await this.#save(userId, { ...await this.get(userId), passwordHash: this.#hashPassword(password) })
  }

  /** Delete the user's credentials and detach their entry. Returns false if there was nothing. */
  async forget (userId: number): Promise<boolean> {
    const existed = await this.#store.delete(userKey(userId))
    await this.#store.set(INDEX_KEY, (await this.#index()).filter(id => id !== userId))
    await this.#hooks.detach(userId)
    return existed
  }

  async #save (userId: number, credentials: ChatCredentials): Promise<{ credentials: ChatCredentials; complete: boolean }> {
    await this.#store.set(userKey(userId), credentials)
    const index = await this.#index()
    if (!index.includes(userId)) await this.#store.set(INDEX_KEY, [...index, userId])
    const complete = isComplete(credentials)
    if (complete) await this.#hooks.attach(userId, credentials)
    return { credentials, complete }
  }

  async #index (): Promise<number[]> {
    return await this.#store.get<number[]>(INDEX_KEY) ?? []
  }
}

function isComplete (c: ChatCredentials): c is CompleteCredentials {
  return typeof c.phone === 'string' && typeof c.passwordHash === 'string'
}

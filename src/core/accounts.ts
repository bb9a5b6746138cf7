import type { Keyv } from 'keyv'

/** AutoDL login a Telegram user set with `/user` and `/password`. Only the SHA-1 of the password is kept. */
export interface UserCredentials {
  phone?: string
  phoneArea: string
  passwordSha1?: string
}

/** Called when a user's credentials are complete (attach the entry) or removed (detach it). */
export interface AccountHooks {
  attach (userId: number, credentials: Required<UserCredentials>): Promise<void>
  detach (userId: number): Promise<void>
}

const INDEX_KEY = 'users'
const userKey = (userId: number): string => `user:${userId}`

/** The provider entry id of a Telegram user's own account. */
export function accountEntryId (userId: number): string {
  return `tg-${userId}`
}

/**
 * AutoDL accounts that Telegram users add for themselves (seed 000: `/user`, `/password`). Kept in the
 * `accounts` keyv namespace, so they come back after a restart; each complete account becomes the
 * provider entry `tg-<userId>`, visible to that user alone.
 */
export class UserAccounts {
  readonly #store: Keyv
  readonly #hooks: AccountHooks

  constructor (store: Keyv, hooks: AccountHooks) {
    this.#store = store
    this.#hooks = hooks
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
  async get (userId: number): Promise<UserCredentials> {
    return await this.#store.get<UserCredentials>(userKey(userId)) ?? { phoneArea: '+86' }
  }

  /**
   * Set the phone. Replacing a different phone drops the stored password (it belonged to the other
   * login); a password set before any phone is kept. Returns the record and whether it is complete (and attached).
   */
  async setPhone (userId: number, phone: string, phoneArea: string): Promise<{ credentials: UserCredentials; complete: boolean }> {
    const previous = await this.get(userId)
    const otherLogin = previous.phone !== undefined && (previous.phone !== phone || previous.phoneArea !== phoneArea)
    const credentials: UserCredentials = otherLogin ? { phone, phoneArea } : { ...previous, phone, phoneArea }
    return await this.#save(userId, credentials)
  }

  /** Set the password's SHA-1. Returns the record and whether it is complete (and attached). */
  async setPasswordSha1 (userId: number, passwordSha1: string): Promise<{ credentials: UserCredentials; complete: boolean }> {
    return await this.#save(userId, { ...await this.get(userId), passwordSha1 })
  }

  /** Delete the user's credentials and detach their entry. Returns false if there was nothing. */
  async forget (userId: number): Promise<boolean> {
    const existed = await this.#store.delete(userKey(userId))
    await this.#store.set(INDEX_KEY, (await this.#index()).filter(id => id !== userId))
    await this.#hooks.detach(userId)
    return existed
  }

  async #save (userId: number, credentials: UserCredentials): Promise<{ credentials: UserCredentials; complete: boolean }> {
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

function isComplete (c: UserCredentials): c is Required<UserCredentials> {
  return typeof c.phone === 'string' && typeof c.passwordSha1 === 'string'
}

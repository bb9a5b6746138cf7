import type { Keyv } from 'keyv'

/**
 * Tokens that work once (confirmations): `claim(token)` is true the first time and false ever after —
 * also for two claims at once in this process, and after a restart, since the mark is kept in the store
 * (under `used:<token>`) for `ttlMs`.
 */
export class SingleUse {
  readonly #store: Keyv
  readonly #ttlMs: number
  /** Tokens being claimed right now: of two claims at once, one wins. */
  readonly #claiming = new Set<string>()

  constructor (store: Keyv, ttlMs: number) {
    this.#store = store
    this.#ttlMs = ttlMs
  }

  /** Mark `token` used; true if it was not used before. */
  async claim (token: string): Promise<boolean> {
    if (this.#claiming.has(token)) return false
    this.#claiming.add(token)
    try {
      if (await this.used(token)) return false
      await this.#store.set(`used:${token}`, true, this.#ttlMs)
      return true
    } finally {
      this.#claiming.delete(token)
    }
  }

  /** Has `token` been claimed (within `ttlMs`)? */
  async used (token: string): Promise<boolean> {
    return await this.#store.get<boolean>(`used:${token}`) === true
  }
}

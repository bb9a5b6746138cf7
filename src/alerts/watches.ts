import { randomUUID } from 'node:crypto'
import type { Keyv } from 'keyv'
import PQueue from 'p-queue'

/** A user waiting for the host of an instance to have enough idle GPUs. */
export interface Watch {
  id: string
  /** The Telegram user who asked; notified, and the viewer of an automatic power-on. */
  userId: number
  provider: string
  instanceId: string
  /** Instance name when the watch was set. */
  name: string
  /** Power on by itself when the GPUs free up (and end the watch once it runs). */
  auto: boolean
  /** For `auto`: the watch ends at this time, ISO 8601; null: until removed. */
  until: string | null
  createdAt: string
  /** Whether the host had enough idle GPUs at the last look: an alert fires when this turns true. */
  free: boolean
}

/** Default window of an automatic watch, and the longest one. */
export const DEFAULT_AUTO_WINDOW_MS = 6 * 3600_000
export const MAX_WATCH_WINDOW_MS = 7 * 86400_000
const KEY = 'watches'

/** Watches of every user, kept in the store (keyv namespace `alerts`): they survive a restart. */
export class WatchList {
  readonly #store: Keyv
  readonly #now: () => Date
  #cache: Watch[] | null = null
  /** Changes one at a time: each reads the list the previous one wrote. */
  readonly #changes = new PQueue({ concurrency: 1 })

  constructor (store: Keyv, now: () => Date = () => new Date()) {
    this.#store = store
    this.#now = now
  }

  /** Set a watch; it replaces the same user's watch of the same instance. */
  async add (watch: Omit<Watch, 'id' | 'createdAt'>): Promise<Watch> {
    const record: Watch = { ...watch, id: randomUUID(), createdAt: this.#now().toISOString() }
    return await this.#changes.add(async () => {
      const others = (await this.all()).filter(w => !(w.userId === watch.userId && w.provider === watch.provider && w.instanceId === watch.instanceId))
      await this.#write([...others, record])
      return record
    })
  }

  async removeById (id: string): Promise<void> {
    await this.#changes.add(async () => { await this.#write((await this.all()).filter(w => w.id !== id)) })
  }

  /** Every watch, or one user's. */
  async all (userId?: number): Promise<Watch[]> {
    this.#cache ??= await this.#store.get<Watch[]>(KEY) ?? []
    return userId === undefined ? [...this.#cache] : this.#cache.filter(w => w.userId === userId)
  }

  /** Store changed `free` flags (or anything else) of watches. */
  async update (changed: Watch[]): Promise<void> {
    if (changed.length === 0) return
    const byId = new Map(changed.map(w => [w.id, w]))
    await this.#changes.add(async () => { await this.#write((await this.all()).map(w => byId.get(w.id) ?? w)) })
  }

  async #write (watches: Watch[]): Promise<void> {
    // Kept first, then shown: a write the store refuses (CW_ERR_STORE) changes nothing.
    await this.#store.set(KEY, watches)
    this.#cache = watches
  }
}

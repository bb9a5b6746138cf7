import { randomUUID } from 'node:crypto'
import type { Keyv } from 'keyv'
import PQueue from 'p-queue'

/** Who did something. */
export type Actor =
  /** A Telegram user (operator or account owner). */
  | { kind: 'telegram'; userId: number; name?: string | undefined }
  /** An API key, by its configured name. */
  | { kind: 'api'; key: string }
  /** The host itself: automatic keep-alive, an automatic watch. `onBehalfOf` is the Telegram user of a watch. */
  | { kind: 'system'; reason: string; onBehalfOf?: number | undefined }

/** `telegram:123 (alice)`, `api:grafana`, `system:keep-alive`. */
export function describeActor (actor: Actor): string {
  if (actor.kind === 'telegram') return `telegram:${actor.userId}${actor.name ? ` (${actor.name})` : ''}`
  if (actor.kind === 'api') return `api:${actor.key}`
  return `system:${actor.reason}${actor.onBehalfOf ? ` for telegram:${actor.onBehalfOf}` : ''}`
}

/** One thing that happened: who, what, on what, when, and how it ended. */
export interface AuditEntry {
  id: string
  /** ISO 8601. */
  at: string
  actor: Actor
  /** `power-on`, `power-off`, `keep-alive`, `mute`, `unmute`, `watch`, `unwatch`. */
  action: string
  target: { provider?: string | undefined; instanceId?: string | undefined; name?: string | undefined }
  /** `requested`, `succeeded`, `failed`, `refused`. */
  result: 'requested' | 'succeeded' | 'failed' | 'refused'
  /** Mode, reason of a refusal or failure, new release time… */
  detail?: string | undefined
  /** The action record this belongs to. */
  actionId?: string | undefined
}

const KEY = 'entries'

/**
 * Every action and who asked for it, kept in the store (keyv namespace `audit`), newest last, the
 * latest `maxEntries` kept. Appends are serialized so concurrent writers cannot drop each other's entries.
 */
export class AuditLog {
  readonly #store: Keyv
  readonly #maxEntries: number
  readonly #now: () => Date
  /** Appends one at a time, like the mute and watch lists' changes: each reads the list the previous one wrote. */
  readonly #appends = new PQueue({ concurrency: 1 })

  constructor (store: Keyv, options: { maxEntries?: number; now?: () => Date } = {}) {
    this.#store = store
    this.#maxEntries = options.maxEntries ?? 2000
    this.#now = options.now ?? (() => new Date())
  }

  /** Record an entry; resolves when it is stored. */
  async append (entry: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry> {
    const full: AuditEntry = { id: randomUUID(), at: this.#now().toISOString(), ...entry }
    return await this.#appends.add(async () => {
      const entries = await this.#store.get<AuditEntry[]>(KEY) ?? []
      entries.push(full)
      await this.#store.set(KEY, entries.slice(-this.#maxEntries))
      return full
    })
  }

  /**
   * The newest entries first, at most `limit`, that `visible` lets through (the caller's rule: the API's
   * {@link canSee} for the public viewer, the bot's "may act on it"); optionally of one provider entry.
   * Entries without a provider (the API's own changes) pass `visible('')`'s verdict for configured entries.
   */
  async list (options: { visible: (providerId: string) => boolean; limit?: number | undefined; provider?: string | undefined }): Promise<AuditEntry[]> {
    await this.#appends.onIdle()
    const entries = await this.#store.get<AuditEntry[]>(KEY) ?? []
    return entries
      .filter(e => options.visible(e.target.provider ?? '') && (options.provider === undefined || e.target.provider === options.provider))
      .reverse().slice(0, options.limit ?? 50)
  }
}

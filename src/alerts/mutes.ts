import { randomUUID } from 'node:crypto'
import type { Keyv } from 'keyv'
import PQueue from 'p-queue'
import parseDuration from 'parse-duration'
import { ConfigError, ConflictError, NotFoundError } from '../core/errors.js'
import { matchInstances } from '../core/match.js'
import type { Snapshot } from '../core/snapshot.js'
import { canSee, type Viewer } from '../core/visibility.js'

/** Alerts of a provider entry, or of one instance of it, are silenced until `until`. */
export interface Mute {
  id: string
  /** The provider entry (`provider`: its id, as in `Instance.provider`), and the instance when only one is muted. */
  target: { provider: string; instanceId?: string | undefined }
  /** What the user named, e.g. `lab` or `641机`. */
  label: string
  /** ISO 8601. */
  until: string
  /** Who muted (`telegram:123`, `api:ops`). */
  by: string
  reason?: string | undefined
  createdAt: string
}

export const MIN_MUTE_MS = 60_000
export const MAX_MUTE_MS = 30 * 86400_000
const KEY = 'mutes'

/**
 * `30m`, `2h`, `1h30m`, `1d` → milliseconds.
 * @throws ConfigError naming the field and the allowed range.
 */
export function parseMuteDuration (text: string, field = 'duration'): number {
  const ms = parseDuration(text.trim())
  if (ms === null || !Number.isFinite(ms)) throw new ConfigError([`${field}: "${text}" is not a duration; write e.g. 30m, 2h, 1h30m, 1d`], { title: 'bad duration' })
  if (ms < MIN_MUTE_MS || ms > MAX_MUTE_MS) throw new ConfigError([`${field}: must be between 1 minute and 30 days`], { title: 'bad duration' })
  return ms
}

/**
 * Does one of `mutes` cover this provider entry, or this instance of it? A mute of the entry covers all
 * its instances; a mute of one instance does not cover the entry's own alerts.
 */
export function isMuted (mutes: readonly Mute[], providerId: string, instanceId?: string): boolean {
  return mutes.some(m => m.target.provider === providerId && (m.target.instanceId === undefined || m.target.instanceId === instanceId))
}

/** Silenced targets, kept in the store (keyv namespace `alerts`) so that a restart keeps them. */
export class MuteList {
  readonly #store: Keyv
  readonly #now: () => Date
  #cache: Mute[] | null = null
  /** Changes one at a time: each reads the list the previous one wrote. */
  readonly #changes = new PQueue({ concurrency: 1 })

  constructor (store: Keyv, now: () => Date = () => new Date()) {
    this.#store = store
    this.#now = now
  }

  async add (mute: Omit<Mute, 'id' | 'createdAt' | 'until'> & { durationMs: number }): Promise<Mute> {
    const now = this.#now()
    const { durationMs, ...rest } = mute
    const record: Mute = { ...rest, id: randomUUID(), createdAt: now.toISOString(), until: new Date(now.getTime() + durationMs).toISOString() }
    return await this.#changes.add(async () => {
      await this.#write([...await this.list('all'), record])
      return record
    })
  }

  /** Remove a mute; false when there was none with this id. */
  async remove (id: string): Promise<boolean> {
    return await this.#changes.add(async () => {
      const mutes = await this.list('all')
      const kept = mutes.filter(m => m.id !== id)
      await this.#write(kept)
      return kept.length !== mutes.length
    })
  }

  /**
   * Active mutes (expired ones are dropped) that `viewer` may see ({@link canSee}); `'all'` for the
   * host's own use (alert evaluation).
   */
  async list (viewer: Viewer | 'all'): Promise<Mute[]> {
    this.#cache ??= await this.#store.get<Mute[]>(KEY) ?? []
    const now = this.#now().getTime()
    return this.#cache.filter(m => Date.parse(m.until) > now && (viewer === 'all' || canSee(viewer, m.target.provider)))
  }

  async #write (mutes: Mute[]): Promise<void> {
    // Kept first, then shown: a write the store refuses (CW_ERR_STORE) changes nothing.
    await this.#store.set(KEY, mutes)
    this.#cache = mutes
  }
}

/**
 * What a mute named by `text` covers: a provider entry id, or exactly one instance (see
 * {@link matchInstances}) of the instances `view` shows.
 * @throws NotFoundError when nothing matches; ConflictError (listing the candidates) when several do.
 */
export function resolveMuteTarget (view: Snapshot, text: string): Mute['target'] {
  const name = text.trim()
  if (view.providers.some(p => p.id === name)) return { provider: name }
  const found = matchInstances(view.instances, name)
  if (found.length === 1) return { provider: found[0]!.provider, instanceId: found[0]!.id }
  if (found.length === 0) throw new NotFoundError(`nothing named "${name}": give a provider entry id or an instance name or id`)
  throw new ConflictError(`"${name}" matches ${found.length} instances: ${found.slice(0, 5).map(i => `${i.provider}/${i.id} (${i.name})`).join(', ')}`, { candidates: found.length })
}

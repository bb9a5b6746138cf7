import { EventEmitter } from 'node:events'
import { performance } from 'node:perf_hooks'
import { describeError, NOT_POLLED_YET, NotFoundError, ProviderResponseError, ProviderTimeoutError } from './errors.js'
import { completeInstance, instanceSchema, type Instance, type InstanceData } from './instance.js'
import type { Logger } from './logger.js'
import type { Provider } from './provider.js'
import type { SecretRegistry } from './secrets.js'
import type { AccountDetails, ProviderStatus, Snapshot } from './snapshot.js'
import type { Telemetry } from './telemetry.js'
import { canSee, type Viewer } from './visibility.js'
import { createCheckAjv, formatAjvErrors } from './validation.js'

// Every instance of every poll is checked: ajv-formats' "fast" date-time regex (no day-in-month check) halves the cost.
const validInstance = createCheckAjv({ fastFormats: true }).compile<Instance>(instanceSchema)

/** One provider entry the aggregator polls. */
export interface AggregatorEntry {
  /** Unique id, e.g. `lab` or `tg-123456789`. */
  id: string
  /** Provider type, e.g. `autodl`. */
  type: string
  provider: Provider
  /** Child logger of the entry. */
  log: Logger
  /** Time between the starts of two polls of this entry, milliseconds; absent: `AggregatorOptions.pollIntervalMs`. */
  pollIntervalMs?: number | undefined
}

export interface AggregatorOptions {
  /** Time between the starts of two polls of one entry, milliseconds. */
  pollIntervalMs: number
  /** Budget of one poll (authenticate + listInstances), milliseconds. */
  pollTimeoutMs: number
  log: Logger
  secrets: SecretRegistry
  /** Most instances one entry may list (default 50,000); a longer list fails the poll. */
  maxInstancesPerEntry?: number | undefined
  /** Where poll outcomes are counted (default: nowhere). */
  telemetry?: Telemetry | undefined
  /** Clock, for tests. */
  now?: () => Date
}

/** Default of `limits.maxInstancesPerEntry`. */
export const DEFAULT_MAX_INSTANCES_PER_ENTRY = 50_000

interface EntryState {
  entry: AggregatorEntry
  /** Last good instances, complete and stamped. */
  instances: Instance[]
  /** The instances as the view shows them (marked stale while the entry fails), and its status: rebuilt only when this entry changes. */
  published: { instances: readonly Instance[]; status: ProviderStatus; byId: Map<string, Instance> | null }
  account: AccountDetails | null
  warnings: number
  polled: boolean
  ok: boolean
  authenticated: boolean
  lastSuccessAt: string | null
  lastErrorAt: string | null
  durationMs: number | null
  error: { code: string; message: string } | null
  /** Stop times of the host's stop timers, by instance id: added to the published instances. */
  stopAt: Map<string, string>
  inflight: Promise<void> | null
  controller: AbortController | null
  timer: NodeJS.Timeout | null
  removed: boolean
}

/** The abort reason of a poll that `stop()` or `remove()` ends: not a provider failure, so never published or logged as one. */
const HALTED = new ProviderTimeoutError('the host is stopping')

const NOT_POLLED = { code: NOT_POLLED_YET, message: 'the first poll has not finished yet' }

/** What changed with a new snapshot: the entries whose instances or status did (one poll: one entry). */
export interface SnapshotChange {
  entries: readonly string[]
}

/**
 * A snapshot over per-entry lists: `instances` is concatenated on first read (the API and the bot read
 * it; a poll of one entry does not pay O(all instances) to publish).
 */
function snapshotOf (generatedAt: string, lists: ReadonlyArray<readonly Instance[]>, providers: ProviderStatus[]): Snapshot {
  let instances: Instance[] | null = null
  return {
    generatedAt,
    get instances (): Instance[] { return (instances ??= lists.flat()) },
    providers
  }
}

/**
 * Polls every provider entry on its own schedule and keeps ONE snapshot — the aggregated view the
 * API and the bot read. Entries are independent: a slow or failing provider never delays or fails
 * another, and a failing one keeps its last good instances, marked `stale`.
 *
 * Emits `snapshot` (with the new {@link Snapshot} and which entries changed) whenever an entry's poll
 * finishes or an entry is added or removed. Publishing costs O(entries), not O(instances).
 */
export class Aggregator extends EventEmitter<{ snapshot: [Snapshot, SnapshotChange] }> {
  readonly #options: AggregatorOptions
  readonly #states = new Map<string, EntryState>()
  readonly #now: () => Date
  #running = false
  #snapshot: Snapshot

  constructor (options: AggregatorOptions) {
    super()
    this.#options = options
    this.#now = options.now ?? (() => new Date())
    this.#snapshot = { generatedAt: this.#now().toISOString(), instances: [], providers: [] }
  }

  /** The current aggregated view (every entry, whoever owns it). */
  get snapshot (): Snapshot {
    return this.#snapshot
  }

  /** The view as `viewer` may see it ({@link canSee}): an account added through the bot is its owner's alone. */
  view (viewer: Viewer): Snapshot {
    const s = this.#snapshot
    const visible = [...this.#states.values()].filter(state => canSee(viewer, state.entry.id))
    if (visible.length === this.#states.size) return s
    return snapshotOf(s.generatedAt, visible.map(state => state.published.instances), visible.map(state => state.published.status))
  }

  /** The instances of one entry as the view shows them (empty for an unknown id). */
  instancesOf (id: string): readonly Instance[] {
    return this.#states.get(id)?.published.instances ?? []
  }

  /** The status of one entry, as in the view; undefined for an unknown id. */
  status (id: string): ProviderStatus | undefined {
    return this.#states.get(id)?.published.status
  }

  /** One instance of one entry as the view shows it, found by id in O(1); undefined when not listed. */
  find (providerId: string, instanceId: string): Instance | undefined {
    const published = this.#states.get(providerId)?.published
    if (!published) return undefined
    published.byId ??= new Map(published.instances.map(i => [i.id, i]))
    return published.byId.get(instanceId)
  }

  /** Entry ids in order. */
  ids (): string[] {
    return [...this.#states.keys()]
  }

  /** The entry with this id, or undefined. */
  get (id: string): AggregatorEntry | undefined {
    return this.#states.get(id)?.entry
  }

  /**
   * Add an entry, replacing (and closing) one with the same id. When the aggregator is running the
   * new entry is polled at once.
   */
  async add (entry: AggregatorEntry): Promise<void> {
    if (this.#states.has(entry.id)) await this.remove(entry.id)
    const fresh: Omit<EntryState, 'published'> = {
      entry, instances: [], account: null, warnings: 0, polled: false, ok: false, authenticated: false, lastSuccessAt: null, lastErrorAt: null,
      durationMs: null, error: NOT_POLLED, stopAt: new Map(), inflight: null, controller: null, timer: null, removed: false
    }
    const state: EntryState = { ...fresh, published: publication(fresh) }
    this.#states.set(entry.id, state)
    this.#publish(entry.id)
    if (this.#running) this.#schedule(state, 0)
  }

  /**
   * Show (or, with null, stop showing) the stop time of the host's stop timer on an instance of the
   * view: `Instance.stopAt`. Publishes a new snapshot of that entry when it changed. Unknown entries are ignored.
   */
  setStopAt (providerId: string, instanceId: string, stopAt: string | null): void {
    const state = this.#states.get(providerId)
    if (!state || (state.stopAt.get(instanceId) ?? null) === stopAt) return
    if (stopAt === null) state.stopAt.delete(instanceId)
    else state.stopAt.set(instanceId, stopAt)
    this.#republish(state)
  }

  /**
   * A follower's view of an entry: the instances and status the leader published (`src/core/replicas.ts`),
   * in place of a poll of its own. Ignored while this aggregator polls, and for entries it does not have.
   */
  adopt (providerId: string, published: { instances: Instance[]; status: ProviderStatus }): void {
    const state = this.#states.get(providerId)
    if (!state || this.#running) return
    const s = published.status
    Object.assign(state, {
      instances: published.instances, account: s.account, warnings: s.warnings, polled: s.lastSuccessAt !== null || s.lastErrorAt !== null, ok: s.ok,
      lastSuccessAt: s.lastSuccessAt, lastErrorAt: s.lastErrorAt, durationMs: s.durationMs, error: s.error
    })
    this.#republish(state)
  }

  /** Stop polling an entry, drop its instances from the view and close its provider. */
  async remove (id: string): Promise<void> {
    const state = this.#states.get(id)
    if (!state) return
    state.removed = true
    this.#states.delete(id)
    await this.#halt(state)
    await state.entry.provider.close?.()
    this.#publish(id)
  }

  /** Start polling every entry: each is polled at once, then every `pollIntervalMs` (its own, or the default). */
  start (): void {
    if (this.#running) return
    this.#running = true
    for (const state of this.#states.values()) this.#schedule(state, 0)
  }

  /** Stop all polling, abort polls in flight and close every provider. */
  async stop (): Promise<void> {
    this.#running = false
    await Promise.all([...this.#states.values()].map(async (state) => {
      await this.#halt(state)
      await state.entry.provider.close?.()
    }))
  }

  /**
   * Poll now and wait for the result: one entry, or all of them. A poll already in flight is joined,
   * not duplicated.
   * @returns the entries' statuses after the poll.
   * @throws NotFoundError for an unknown id.
   */
  async refresh (id?: string): Promise<ProviderStatus[]> {
    const targets = id === undefined ? [...this.#states.values()] : [this.#states.get(id)]
    if (targets.some(s => s === undefined)) throw new NotFoundError(`no provider entry "${id}"`)
    await Promise.all(targets.map(state => this.#poll(state!)))
    const ids = new Set(targets.map(s => s!.entry.id))
    return this.#snapshot.providers.filter(p => ids.has(p.id))
  }

  async #halt (state: EntryState): Promise<void> {
    if (state.timer) clearTimeout(state.timer)
    state.timer = null
    state.controller?.abort(HALTED)
    await state.inflight
  }

  #schedule (state: EntryState, delayMs: number): void {
    if (state.timer) clearTimeout(state.timer)
    state.timer = setTimeout(() => {
      state.timer = null
      void this.#poll(state).then(() => {
        if (this.#running && !state.removed && state.timer === null) {
          this.#schedule(state, (state.entry.pollIntervalMs ?? this.#options.pollIntervalMs) - (state.durationMs ?? 0))
        }
      })
    }, Math.max(0, delayMs))
  }

  #poll (state: EntryState): Promise<void> {
    if (state.inflight) return state.inflight
    const { entry } = state
    const controller = new AbortController()
    const timeoutMs = this.#options.pollTimeoutMs
    const timer = setTimeout(() => {
      controller.abort(new ProviderTimeoutError(`${entry.type} poll took longer than ${Math.round(timeoutMs / 1000)} s (pollTimeoutSeconds)`))
    }, timeoutMs)
    state.controller = controller
    const started = performance.now()
    // Providers that read live state per instance stop starting reads here and report the rest as stale.
    const deadline = Date.now() + Math.round(timeoutMs * 0.8)
    state.inflight = (async () => {
      try {
        const instances = await untilAborted(controller.signal, async (signal) => {
          if (!state.authenticated) {
            await entry.provider.authenticate({ signal })
            state.authenticated = true
          }
          return await entry.provider.listInstances({ signal, deadline })
        })
        if (state.removed) return
        this.#succeeded(state, checked(entry, instances, this.#options.maxInstancesPerEntry ?? DEFAULT_MAX_INSTANCES_PER_ENTRY), performance.now() - started)
      } catch (err) {
        if (state.removed) return
        // The host stopping is not the provider failing: no warning, no failure counted, the view unchanged.
        if (controller.signal.reason === HALTED) return entry.log.debug('poll stopped: the host is stopping')
        this.#failed(state, err, performance.now() - started)
      } finally {
        clearTimeout(timer)
        state.inflight = null
        state.controller = null
      }
    })()
    return state.inflight
  }

  #succeeded (state: EntryState, instances: Instance[], durationMs: number): void {
    const { log, provider } = state.entry
    this.#options.telemetry?.poll(state.entry, 'success')
    if (state.polled && !state.ok) log.info({ instances: instances.length }, 'provider recovered')
    else log.debug({ instances: instances.length, durationMs: Math.round(durationMs) }, 'poll ok')
    Object.assign(state, {
      instances, account: provider.accountDetails?.() ?? null, warnings: provider.skippedInstances?.() ?? 0, polled: true, ok: true, error: null,
      durationMs: Math.round(durationMs), lastSuccessAt: this.#now().toISOString()
    })
    this.#republish(state)
  }

  #failed (state: EntryState, err: unknown, durationMs: number): void {
    const { code, message } = describeError(err)
    const error = { code, message: this.#options.secrets.scrub(message) }
    this.#options.telemetry?.poll(state.entry, 'failure')
    const changed = state.ok || !state.polled || state.error?.message !== error.message
    state.entry.log[changed ? 'warn' : 'debug']({ code, error: error.message }, 'poll failed')
    Object.assign(state, {
      polled: true, ok: false, authenticated: false, error, durationMs: Math.round(durationMs), lastErrorAt: this.#now().toISOString()
    })
    this.#republish(state)
  }

  /** Rebuild `state`'s published part (O(its instances)) after its poll, then publish. */
  #republish (state: EntryState): void {
    state.published = publication(state)
    this.#publish(state.entry.id)
  }

  /** A new snapshot over every entry's published part (O(entries)); `changedId` is the entry that changed. */
  #publish (changedId: string): void {
    const states = [...this.#states.values()]
    this.#snapshot = snapshotOf(this.#now().toISOString(), states.map(s => s.published.instances), states.map(s => s.published.status))
    this.emit('snapshot', this.#snapshot, { entries: [changedId] })
  }
}

/** An entry as the view shows it: its instances marked stale while it fails, and its status. */
function publication (state: Omit<EntryState, 'published'>): EntryState['published'] {
  const { id, type, provider } = state.entry
  const stale = state.polled && !state.ok
  const stopAt = state.stopAt
  // Copies only where something is added: a poll of an entry without stale data or timers publishes its list as is.
  const instances = stale || stopAt.size > 0
    ? state.instances.map(i => {
      const at = stopAt.get(i.id)
      return stale || at !== undefined ? { ...i, ...(stale ? { stale } : {}), ...(at !== undefined ? { stopAt: at } : {}) } : i
    })
    : state.instances
  return {
    instances,
    status: {
      id, type, ok: state.ok, lastSuccessAt: state.lastSuccessAt, lastErrorAt: state.lastErrorAt, durationMs: state.durationMs,
      instanceCount: state.instances.length, error: state.error, capabilities: { ...provider.capabilities }, account: state.account, warnings: state.warnings
    },
    byId: null
  }
}

/**
 * Complete, stamp and check what a provider returned. Anything that is not a valid {@link Instance}
 * (a plugin's bug, a mapping gap) fails the poll with a message naming the instance and the field,
 * instead of reaching the API and the bot.
 * @throws ProviderResponseError
 */
function checked (entry: AggregatorEntry, list: unknown, maxInstances: number): Instance[] {
  if (!Array.isArray(list)) throw new ProviderResponseError(`${entry.type} listInstances() returned ${typeof list}, not an array`)
  if (list.length > maxInstances) throw new ProviderResponseError(`${entry.type} listed ${list.length} instances, more than limits.maxInstancesPerEntry (${maxInstances})`)
  const stamp = { provider: entry.id, providerType: entry.type }
  return list.map((data, index) => {
    if (data === null || typeof data !== 'object') throw new ProviderResponseError(`${entry.type} returned a non-object as instance [${index}]`)
    const instance = completeInstance(data as InstanceData, stamp)
    if (!validInstance(instance)) {
      const detail = formatAjvErrors(validInstance.errors, `[${index}]`)[0]
      throw new ProviderResponseError(`${entry.type} returned an invalid instance (${String((data as { id?: unknown })?.id)}): ${detail}`)
    }
    return instance
  })
}

/**
 * Run `task` with `signal`, and reject as soon as the signal aborts even if the task ignores it
 * (a provider that hangs must not hold its entry forever).
 */
async function untilAborted<T> (signal: AbortSignal, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  signal.throwIfAborted()
  return await new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    task(signal).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

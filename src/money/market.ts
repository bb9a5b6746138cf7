import { EventEmitter } from 'node:events'
import type { Keyv } from 'keyv'
import type { Aggregator } from '../core/aggregator.js'
import { ConfigError, NotFoundError, NotSupportedError } from '../core/errors.js'
import type { Logger } from '../core/logger.js'
import type { MarketHost, MarketReader } from '../core/provider.js'
import { canSee, PUBLIC_VIEWER, type Viewer } from '../core/visibility.js'

/** One `alerts.market` entry: tell me when `gpu` has at least `minIdle` idle GPUs over `regions`. */
export interface MarketWatchConfig {
  /** GPU model as the market names it, e.g. `RTX 4090` (compared without regard to case). */
  gpu: string
  /** The provider's region codes (AutoDL `region_sign`, e.g. `west-B`), counted together. */
  regions: string[]
  /** Idle GPUs that make it worth saying (default 1). */
  minIdle: number
  /** The entry whose market is read; default: the first configured entry that has one. */
  provider?: string | undefined
}

/** What a market read found for one watch. */
export interface MarketReading {
  /** `<gpu>@<regions>`: the watch's key in the state and the history. */
  key: string
  watch: MarketWatchConfig
  /** The entry read. */
  provider: string
  idle: number
  total: number
  /** ISO 8601. */
  at: string
}

/** A watched model reached its `minIdle` (it was below, or this is the first read). */
export interface MarketEvent {
  kind: 'available'
  reading: MarketReading
  /** Up to {@link HOSTS_SHOWN} hosts with that many idle GPUs, cheapest first. */
  hosts: MarketHost[]
  /** Type of the entry read. */
  providerType: string
}

export interface MarketAnswer {
  provider: string
  gpu: string
  regions: readonly string[]
  /** Null when the model is not on the market in those regions. */
  idle: number | null
  total: number | null
  hosts: MarketHost[]
}

export interface MarketWatchOptions {
  aggregator: Aggregator
  /** keyv namespace `market`: which watches are above their threshold, so a restart does not repeat one. */
  store: Keyv
  watches: readonly MarketWatchConfig[]
  /** Time between two reads of the market, milliseconds (`alerts.marketIntervalSeconds`). */
  intervalMs: number
  log: Logger
  now?: () => Date
}

/** Hosts listed with an alert or an answer. */
export const HOSTS_SHOWN = 5
const KEY = 'state'

export const watchKey = (w: Pick<MarketWatchConfig, 'gpu' | 'regions'>): string => `${w.gpu}@${[...w.regions].sort().join(',')}`

/**
 * Reads a provider's GPU market (AutoDL's, through {@link MarketReader}; read-only, it never rents) for
 * each `alerts.market` watch every `intervalMs`, and emits `market` when a watched model's idle GPUs
 * over its regions rise to `minIdle` — once, until they fell below again (kept in the store across
 * restarts). Each read is also emitted as `reading` (the availability history keeps them). Answers
 * `/market` and `GET /api/v1/market` live. A failing read is logged and tried at the next interval.
 */
export class MarketWatch extends EventEmitter<{ market: [MarketEvent]; reading: [MarketReading] }> {
  readonly #o: MarketWatchOptions
  readonly #now: () => Date
  #timer: NodeJS.Timeout | null = null
  #running: Promise<void> | null = null
  readonly #latest = new Map<string, MarketReading>()

  constructor (options: MarketWatchOptions) {
    super()
    this.#o = options
    this.#now = options.now ?? (() => new Date())
  }

  /**
   * The named entries exist and have a market.
   * @throws ConfigError naming the `alerts.market[i].provider` to fix.
   */
  static validate (watches: readonly MarketWatchConfig[], aggregator: Aggregator): void {
    const problems = watches.flatMap((w, i) => {
      if (w.provider === undefined) return findEntry(aggregator, undefined) ? [] : [`alerts.market[${i}]: no provider entry has a GPU market (AutoDL has one)`]
      const entry = aggregator.get(w.provider)
      if (!entry) return [`alerts.market[${i}].provider: no provider entry "${w.provider}"`]
      return entry.provider.market ? [] : [`alerts.market[${i}].provider: "${w.provider}" (${entry.type}) has no GPU market to watch`]
    })
    if (problems.length > 0) throw new ConfigError(problems)
  }

  /** Read now, then every `intervalMs`. Nothing to do without watches. */
  start (): void {
    if (this.#timer || this.#o.watches.length === 0) return
    void this.check()
    this.#timer = setInterval(() => { void this.check() }, this.#o.intervalMs)
    this.#timer.unref()
  }

  async stop (): Promise<void> {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
    await this.#running
  }

  /** The latest reading of each watch. */
  readings (): MarketReading[] {
    return [...this.#latest.values()]
  }

  /** Read every watch once; joins a read in progress. Resolves when done (tests call it). */
  async check (): Promise<void> {
    this.#running ??= this.#checkAll().finally(() => { this.#running = null })
    await this.#running
  }

  async #checkAll (): Promise<void> {
    const state = await this.#o.store.get<Record<string, boolean>>(KEY) ?? {}
    let changed = false
    for (const watch of this.#o.watches) {
      const key = watchKey(watch)
      try {
        const entry = findEntry(this.#o.aggregator, watch.provider)
        if (!entry) continue
        const counts = await entry.market.gpuCounts(watch.regions, { signal: AbortSignal.timeout(30_000) })
        const count = counts.find(c => sameGpu(c.gpu, watch.gpu))
        const reading: MarketReading = { key, watch, provider: entry.id, idle: count?.idle ?? 0, total: count?.total ?? 0, at: this.#now().toISOString() }
        this.#latest.set(key, reading)
        this.emit('reading', reading)
        const available = reading.idle >= watch.minIdle
        if (available === (state[key] ?? false)) continue
        state[key] = available
        changed = true
        if (!available) continue
        const hosts = await entry.market.hosts({ regions: watch.regions, gpu: count?.gpu ?? watch.gpu, minIdle: 1, limit: 20 }, { signal: AbortSignal.timeout(30_000) })
          .catch(() => [])
        this.emit('market', { kind: 'available', reading, hosts: cheapest(hosts), providerType: entry.type })
      } catch (err) {
        this.#o.log.warn({ watch: key, err: { message: (err as Error).message } }, 'could not read the GPU market; trying again at the next interval')
      }
    }
    if (changed) await this.#o.store.set(KEY, state)
  }

  /**
   * The market for `gpu` over `regions`, now: counts and the cheapest hosts with idle GPUs.
   * @throws NotFoundError (no entry with a market that `viewer` may see), NotSupportedError, or the provider's error.
   */
  async ask (query: { gpu: string; regions: readonly string[]; provider?: string | undefined; viewer: Viewer | 'all' }): Promise<MarketAnswer> {
    const entry = findEntry(this.#o.aggregator, query.provider, query.viewer)
    if (!entry) {
      if (query.provider !== undefined && this.#o.aggregator.get(query.provider)) throw new NotSupportedError('a GPU market', this.#o.aggregator.get(query.provider)!.type)
      throw new NotFoundError(query.provider === undefined ? 'no provider entry has a GPU market (AutoDL has one)' : `no provider entry "${query.provider}"`)
    }
    const signal = AbortSignal.timeout(30_000)
    const counts = await entry.market.gpuCounts(query.regions, { signal })
    const count = counts.find(c => sameGpu(c.gpu, query.gpu))
    const hosts = count && count.idle > 0 ? await entry.market.hosts({ regions: query.regions, gpu: count.gpu, minIdle: 1, limit: 20 }, { signal }) : []
    return { provider: entry.id, gpu: count?.gpu ?? query.gpu, regions: query.regions, idle: count?.idle ?? null, total: count?.total ?? null, hosts: cheapest(hosts) }
  }

  /** The regions the watches of `gpu` name (all watches' when none is of that model). */
  regionsOf (gpu: string): string[] {
    const of = this.#o.watches.filter(w => sameGpu(w.gpu, gpu))
    return [...new Set((of.length > 0 ? of : this.#o.watches).flatMap(w => w.regions))]
  }
}

function sameGpu (a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase()
}

function cheapest (hosts: MarketHost[]): MarketHost[] {
  return [...hosts].sort((a, b) => (a.pricePerGpuHour ?? Infinity) - (b.pricePerGpuHour ?? Infinity)).slice(0, HOSTS_SHOWN)
}

/** The named entry, or the first configured one (never a bot-added account) whose provider reads a market. */
function findEntry (aggregator: Aggregator, provider: string | undefined, viewer: Viewer | 'all' = 'all'): { id: string; type: string; market: MarketReader } | undefined {
  const ids = provider === undefined ? aggregator.ids().filter(id => canSee(PUBLIC_VIEWER, id)) : [provider]
  for (const id of ids) {
    const entry = aggregator.get(id)
    if (entry?.provider.market && (viewer === 'all' || canSee(viewer, id))) return { id, type: entry.type, market: entry.provider.market }
  }
  return undefined
}

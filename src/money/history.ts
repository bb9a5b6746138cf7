import type { Keyv } from 'keyv'
import type { Aggregator, SnapshotChange } from '../core/aggregator.js'
import type { Logger } from '../core/logger.js'
import { KeyedQueue } from '../core/keyed-queue.js'
import { ReadOnce } from '../core/read-once.js'
import { addSample, buckets, emptySeries, KEPT_SECONDS, summarize, type AvailabilitySummary, type Series } from './availability.js'
import type { MarketReading } from './market.js'

/** A stored series is written again after this many seconds of only "still the same" samples. */
const REWRITE_SECONDS = 300

/** The history of one instance's host (or a market watch), as `/history`, the API and the page show it. */
export interface HistoryReport extends AvailabilitySummary {
  /** GPUs that count as enough: the instance's `requested` (or the watch's `minIdle`). */
  need: number
  /** ISO 8601: the span kept (30 days back from now). */
  from: string
  to: string
  /** What changed in the last 48 hours, at poll resolution: `idle` null starts a time nothing was observed. */
  recent: Array<{ at: string; idle: number | null; total: number | null }>
  /** 10-minute averages over the kept span, oldest first (only where something was observed). */
  averages: Array<{ at: string; idle: number; available: number }>
}

export interface AvailabilityHistoryOptions {
  aggregator: Aggregator
  /** keyv namespace `history`: `entry:<id>` per provider entry, `market` for the watches. */
  store: Keyv
  /** Silence longer than this (seconds) between two samples is a gap: nothing was observed. */
  maxGapSeconds: number
  /** IANA zone of hours and weekdays; null: the system's. */
  timeZone: string | null
  log: Logger
  now?: () => Date
}

/**
 * Keeps, per instance whose provider counts its host's GPUs, how many were idle and whether that was
 * enough for the instance ({@link Series}: changes at poll resolution for 48 hours, 10-minute averages
 * for 30 days), and the same for each watched market reading. Samples come from each successful poll
 * of an entry; each entry's part is stored under its own key, and written only when something changed
 * (or every {@link REWRITE_SECONDS} of "the same"), so it survives restarts without a write per poll.
 */
export class AvailabilityHistory {
  readonly #o: AvailabilityHistoryOptions
  readonly #now: () => Date
  /** Each store key's updates in order (an entry's part, the market's), different keys side by side. */
  readonly #writes = new KeyedQueue()
  /** Each key's part, read from the store once. */
  readonly #parts = new ReadOnce<{ series: Record<string, Series>; writtenAt: number }>()
  readonly #onSnapshot = (_snapshot: unknown, change: SnapshotChange): void => {
    for (const id of change.entries) void this.observe(id)
  }

  constructor (options: AvailabilityHistoryOptions) {
    this.#o = options
    this.#now = options.now ?? (() => new Date())
  }

  start (): void {
    this.#o.aggregator.on('snapshot', this.#onSnapshot)
  }

  async stop (): Promise<void> {
    this.#o.aggregator.off('snapshot', this.#onSnapshot)
    await this.settled()
  }

  /** Resolves once every sample so far is stored. */
  async settled (): Promise<void> {
    await this.#writes.onIdle()
  }

  /** Sample the entry's instances (nothing when its latest poll failed: that time is not observed). */
  async observe (entryId: string): Promise<void> {
    await this.#writes.add(`entry:${entryId}`, async () => {
      if (!this.#o.aggregator.status(entryId)?.ok) return
      await this.#update(`entry:${entryId}`, series => {
        const at = this.#seconds()
        let changed = false
        const listed = new Set<string>()
        for (const i of this.#o.aggregator.instancesOf(entryId)) {
          const gpu = i.gpu
          if (gpu === null || gpu.hostIdle === null || gpu.hostTotal === null) continue
          listed.add(i.id)
          const s = series[i.id] ??= emptySeries(gpu.requested ?? 1)
          changed = addSample(s, at, gpu.hostIdle, gpu.hostTotal, gpu.requested ?? 1, this.#o.maxGapSeconds) || changed
        }
        // An instance gone from its entry keeps its history until it ages out.
        for (const [id, s] of Object.entries(series)) {
          if (!listed.has(id) && at - s.seenAt > KEPT_SECONDS) { delete series[id]; changed = true }
        }
        return changed
      })
    })
  }

  /** Sample a market reading (a watch's idle GPUs over its regions; enough: its `minIdle`). */
  async observeMarket (reading: MarketReading): Promise<void> {
    await this.#writes.add('market', async () => {
      await this.#update('market', series => {
        const s = series[reading.key] ??= emptySeries(reading.watch.minIdle)
        return addSample(s, Math.floor(Date.parse(reading.at) / 1000), reading.idle, reading.total, reading.watch.minIdle, this.#o.maxGapSeconds)
      })
    })
  }

  /** The report of an instance's host; undefined when the host has no history (no GPU counts seen). */
  async instance (providerId: string, instanceId: string): Promise<HistoryReport | undefined> {
    await this.settled()
    const series = (await this.#load(`entry:${providerId}`)).series[instanceId]
    return series && this.#report(series)
  }

  /** The report of each market watch that was read, by its key (`<gpu>@<regions>`). */
  async market (): Promise<Record<string, HistoryReport>> {
    await this.settled()
    const { series } = await this.#load('market')
    return Object.fromEntries(Object.entries(series).map(([key, s]) => [key, this.#report(s)]))
  }

  #report (series: Series): HistoryReport {
    const now = this.#seconds()
    const list = buckets(series, now, this.#o.maxGapSeconds).filter(b => b.start >= now - KEPT_SECONDS)
    const iso = (s: number): string => new Date(s * 1000).toISOString()
    return {
      need: series.need,
      from: iso(now - KEPT_SECONDS),
      to: iso(now),
      ...summarize(list, this.#o.timeZone),
      recent: series.points.map(([at, idle, total]) => ({ at: iso(at), idle: idle < 0 ? null : idle, total: idle < 0 ? null : total })),
      averages: list.map(b => ({ at: iso(b.start), idle: b.idle, available: b.available }))
    }
  }

  async #update (key: string, change: (series: Record<string, Series>) => boolean): Promise<void> {
    try {
      const part = await this.#load(key)
      const changed = change(part.series)
      const now = this.#seconds()
      if (!changed && now - part.writtenAt < REWRITE_SECONDS) return
      await this.#o.store.set(key, part.series)
      part.writtenAt = now
    } catch (err) {
      // The store logs its own failures; the samples stay in memory and are written with the next change.
      if ((err as { code?: unknown }).code !== 'CW_ERR_STORE') this.#o.log.error({ key, err: { message: (err as Error).message } }, 'availability history update failed')
    }
  }

  async #load (key: string): Promise<{ series: Record<string, Series>; writtenAt: number }> {
    return await this.#parts.get(key, async () => ({ series: await this.#o.store.get<Record<string, Series>>(key) ?? {}, writtenAt: this.#seconds() }))
  }

  #seconds (): number {
    return Math.floor(this.#now().getTime() / 1000)
  }
}

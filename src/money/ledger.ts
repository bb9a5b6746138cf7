import type { Keyv } from 'keyv'
import { DateTime } from 'luxon'
import type { Aggregator, SnapshotChange } from '../core/aggregator.js'
import type { Logger } from '../core/logger.js'
import { NO_TELEMETRY, type Telemetry } from '../core/telemetry.js'
import { KeyedQueue } from '../core/keyed-queue.js'
import { ReadOnce } from '../core/read-once.js'

/** Days of totals kept per instance. */
export const LEDGER_DAYS = 400

/** How an instance looked at the entry's latest successful poll. */
interface Seen {
  /** Epoch milliseconds. */
  at: number
  running: boolean
  /** Yuan per hour; null: unknown. */
  price: number | null
}

/** One provider entry's part of the ledger (keyv key `entry:<id>`). */
interface EntryLedger {
  seen: Record<string, Seen>
  /** `YYYY-MM-DD` (in the ledger's time zone) → instance id → yuan. */
  days: Record<string, Record<string, number>>
  /** Instance names, for the reports (the latest seen). */
  names: Record<string, string>
}

/** One row of a cost report. */
export interface CostRow {
  /** The provider entry. */
  provider: string
  /** Set when grouped by instance. */
  instanceId?: string
  /** The instance's name, when grouped by instance. */
  name?: string
  /** `YYYY-MM-DD`, when grouped by day. */
  day?: string
  /** Yuan, rounded to the fen (0.01). */
  yuan: number
}

export type CostGrouping = 'provider' | 'instance' | 'day'

export interface CostLedgerOptions {
  aggregator: Aggregator
  /** keyv namespace `ledger`. */
  store: Keyv
  /** IANA zone the days are cut in; null: the system's. */
  timeZone: string | null
  /**
   * Largest time between two polls counted, milliseconds: beyond it (the host was down) only this much
   * is counted, as nothing was observed in between.
   */
  maxGapMs: number
  log: Logger
  telemetry?: Telemetry | undefined
  now?: () => Date
}

const DAY_FORMAT = 'yyyy-MM-dd'

/**
 * The running cost the host observes: after each successful poll of an entry, each of its instances
 * adds the time since the previous poll × its price per hour — the whole interval when it was running
 * at both polls, half when at one of them (it started or stopped in between), nothing otherwise. An
 * estimate at poll resolution, in yuan, never the provider's bill. Kept per entry and day in the
 * store (keyv namespace `ledger`), for {@link LEDGER_DAYS} days, surviving restarts; each poll writes
 * only its entry's part, and nothing when no priced instance runs or ran and the instances are the same.
 */
export class CostLedger {
  readonly #options: CostLedgerOptions
  readonly #now: () => Date
  readonly #telemetry: Telemetry
  /** Each entry's observations in order, different entries' side by side. */
  readonly #writes = new KeyedQueue()
  /** Each entry's ledger, read from the store once. */
  readonly #entries = new ReadOnce<EntryLedger>()
  /** Every entry the ledger holds (keyv key `entries`), read once. */
  readonly #ids = new ReadOnce<Set<string>>()
  /** This month's total per entry, kept up to date by each booking (what the budgets read at every evaluation). */
  #month: { start: string; totals: Map<string, number> } | null = null
  readonly #onSnapshot = (_snapshot: unknown, change: SnapshotChange): void => {
    for (const id of change.entries) void this.observe(id)
  }

  constructor (options: CostLedgerOptions) {
    this.#options = options
    this.#now = options.now ?? (() => new Date())
    this.#telemetry = options.telemetry ?? NO_TELEMETRY
  }

  start (): void {
    this.#options.aggregator.on('snapshot', this.#onSnapshot)
  }

  /**
   * This month's observed cost per entry, yuan (unrounded). Computed over every entry once per month
   * (or at the first call), then kept up to date by each booking, which recomputes its own entry only.
   */
  async monthTotals (): Promise<ReadonlyMap<string, number>> {
    const start = this.monthStart()
    if (this.#month?.start !== start) {
      const totals = new Map<string, number>()
      for (const id of await this.#knownIds()) totals.set(id, this.#monthSum(await this.#load(id), start))
      this.#month = { start, totals }
    }
    return this.#month.totals
  }

  #monthSum (ledger: EntryLedger, start: string): number {
    let sum = 0
    for (const [day, instances] of Object.entries(ledger.days)) {
      if (day >= start) for (const yuan of Object.values(instances)) sum += yuan
    }
    return sum
  }

  /** Stop observing; resolves once every observation so far is stored. */
  async stop (): Promise<void> {
    this.#options.aggregator.off('snapshot', this.#onSnapshot)
    await this.settled()
  }

  /** Resolves once every observation asked for so far is booked and stored. */
  async settled (): Promise<void> {
    await this.#writes.onIdle()
  }

  /** Add what the entry's instances cost since its previous poll (nothing when its latest poll failed). */
  async observe (entryId: string): Promise<void> {
    await this.#writes.add(entryId, async () => {
      const { aggregator, log } = this.#options
      const status = aggregator.status(entryId)
      if (!status?.ok) return
      try {
        const ledger = await this.#load(entryId)
        const at = this.#now().getTime()
        let added = 0
        const seen: Record<string, Seen> = {}
        for (const instance of aggregator.instancesOf(entryId)) {
          const running = instance.state === 'running'
          const previous = ledger.seen[instance.id]
          seen[instance.id] = { at, running, price: instance.pricePerHour ?? previous?.price ?? null }
          ledger.names[instance.id] = instance.name
          if (!previous || previous.at >= at) continue
          const share = (previous.running ? 0.5 : 0) + (running ? 0.5 : 0)
          const price = instance.pricePerHour ?? previous.price
          if (share === 0 || price === null || price <= 0) continue
          const from = Math.max(previous.at, at - this.#options.maxGapMs)
          added += this.#book(ledger, instance.id, from, at, price * share)
        }
        // An entry with nothing priced running, before or now, and the same instances: nothing to keep
        // (most polls of idle accounts and of servers without prices write nothing).
        const priced = (x: Seen | undefined): boolean => x !== undefined && x.running && x.price !== null
        const idle = added === 0 && !Object.values(seen).some(priced) && !Object.values(ledger.seen).some(priced) &&
          Object.keys(seen).length === Object.keys(ledger.seen).length && Object.keys(seen).every(id => id in ledger.seen)
        ledger.seen = seen
        if (idle) return
        this.#prune(ledger)
        if (added > 0 && this.#month !== null) this.#month.totals.set(entryId, this.#monthSum(ledger, this.#month.start))
        await this.#options.store.set(`entry:${entryId}`, ledger)
        await this.#remember(entryId)
        if (added > 0) this.#telemetry.cost?.({ id: entryId, type: status.type }, added)
      } catch (err) {
        // The store logs its own failures; the next poll books the interval again from the last stored point.
        if ((err as { code?: unknown }).code !== 'CW_ERR_STORE') log.error({ provider: entryId, err: { message: (err as Error).message } }, 'cost ledger update failed')
      }
    })
  }

  /**
   * Costs from `from` to `to` (`YYYY-MM-DD`, both included, in the ledger's zone), one row per
   * provider, instance or day; entries `visible` rejects are left out. Rows sorted by cost, days by date.
   */
  async report (range: { from: string; to: string }, groupBy: CostGrouping, visible: (entryId: string) => boolean = () => true): Promise<CostRow[]> {
    const totals = new Map<string, CostRow>()
    for (const entryId of [...await this.#knownIds()].filter(visible)) {
      const ledger = await this.#load(entryId)
      for (const [day, instances] of Object.entries(ledger.days)) {
        if (day < range.from || day > range.to) continue
        for (const [instanceId, yuan] of Object.entries(instances)) {
          const key = groupBy === 'provider' ? entryId : groupBy === 'day' ? day : `${entryId}/${instanceId}`
          const row = totals.get(key) ?? (groupBy === 'provider'
            ? { provider: entryId, yuan: 0 }
            : groupBy === 'day' ? { provider: '*', day, yuan: 0 } : { provider: entryId, instanceId, name: ledger.names[instanceId] ?? instanceId, yuan: 0 })
          row.yuan += yuan
          totals.set(key, row)
        }
      }
    }
    const rows = [...totals.values()].map(r => ({ ...r, yuan: Math.round(r.yuan * 100) / 100 }))
    return groupBy === 'day' ? rows.sort((a, b) => a.day!.localeCompare(b.day!)) : rows.sort((a, b) => b.yuan - a.yuan)
  }

  /** Today (`YYYY-MM-DD`) in the ledger's zone. */
  today (): string {
    return this.#local().toFormat(DAY_FORMAT)
  }

  /** The day `days` before today (`YYYY-MM-DD`): the start of "the last 7 days" is `daysAgo(6)`. */
  daysAgo (days: number): string {
    return this.#local().minus({ days }).toFormat(DAY_FORMAT)
  }

  /** The first day of this month (`YYYY-MM-DD`). */
  monthStart (): string {
    return this.#local().startOf('month').toFormat(DAY_FORMAT)
  }

  /** Book `yuanPerHour` from `from` to `to` (epoch ms), cut at midnight; returns the yuan added. */
  #book (ledger: EntryLedger, instanceId: string, from: number, to: number, yuanPerHour: number): number {
    let added = 0
    let start = from
    while (start < to) {
      const dayStart = DateTime.fromMillis(start, { zone: this.#zone() }).startOf('day')
      const end = Math.min(to, dayStart.plus({ days: 1 }).toMillis())
      const yuan = (end - start) / 3600_000 * yuanPerHour
      const day = dayStart.toFormat(DAY_FORMAT)
      const totals = ledger.days[day] ??= {}
      totals[instanceId] = (totals[instanceId] ?? 0) + yuan
      added += yuan
      start = end
    }
    return added
  }

  #prune (ledger: EntryLedger): void {
    const oldest = this.daysAgo(LEDGER_DAYS - 1)
    for (const day of Object.keys(ledger.days)) if (day < oldest) delete ledger.days[day]
  }

  async #load (entryId: string): Promise<EntryLedger> {
    return await this.#entries.get(entryId, async () => {
      const stored = await this.#options.store.get<EntryLedger>(`entry:${entryId}`)
      return { seen: stored?.seen ?? {}, days: stored?.days ?? {}, names: stored?.names ?? {} }
    })
  }

  async #knownIds (): Promise<Set<string>> {
    return await this.#ids.get('entries', async () => new Set(await this.#options.store.get<string[]>('entries') ?? []))
  }

  /** Add `entryId` to the stored list of entries, written only when it is new. */
  async #remember (entryId: string): Promise<void> {
    const ids = await this.#knownIds()
    if (ids.has(entryId)) return
    ids.add(entryId)
    await this.#options.store.set('entries', [...ids])
  }

  /** Now, in the ledger's zone. */
  #local (): DateTime {
    return DateTime.fromMillis(this.#now().getTime(), { zone: this.#zone() })
  }

  #zone (): string {
    return this.#options.timeZone ?? 'local'
  }
}

import { randomUUID } from 'node:crypto'
import type { Keyv } from 'keyv'
import type { ActionRecord } from '../actions/record.js'
import type { ActionService } from '../actions/service.js'
import type { StopTimers, TimerEvent } from '../actions/timers.js'
import type { MarketEvent, MarketWatch } from '../money/market.js'
import type { AlertsConfig } from '../config/schema.js'
import type { Aggregator, SnapshotChange } from '../core/aggregator.js'
import type { Logger } from '../core/logger.js'
import type { Language, Translate } from '../present/i18n.js'
import type { Alert, Texts } from '../notify/alert.js'
import { emptyEntryState, emptyState, type AlertState, type EntryAlertState, type EntryRuleContext, type RuleContext } from './context.js'
import { isMuted, type MuteList } from './mutes.js'
import type { ActionContext, AlertRuleDefinition } from './rule.js'
import { ALERT_RULES } from './rules/index.js'
import type { WatchList } from './watches.js'
import type { Budget } from '../money/budget.js'
import type { CostLedger } from '../money/ledger.js'

/** The state across entries; each entry's own part is under `state:<entry id>`. */
const STATE_KEY = 'state'
const entryKey = (id: string): string => `${STATE_KEY}:${id}`
/** Once-only keys older than this are forgotten (their deadlines are long gone). */
const FIRED_TTL_MS = 45 * 86400_000

export interface AlertEngineOptions {
  aggregator: Aggregator
  actions: ActionService
  watches: WatchList
  mutes: MuteList
  /** keyv namespace `alerts`. */
  store: Keyv
  config: AlertsConfig
  /** Entries with automatic keep-alive, and how early. */
  keepAlive: ReadonlyMap<string, { beforeHours: number }>
  /** Where alerts go (the dispatcher): the alerts of one evaluation together, to be grouped per rule and event. */
  send: (alerts: readonly Alert[]) => void
  translators: Record<Language, Translate>
  timeZone: string | null
  log: Logger
  now?: () => Date
  /** The monthly budgets (the `budget` rule). */
  budget?: Budget | undefined
  /** The cost ledger (the daily summary). */
  ledger?: CostLedger | undefined
  /** The stop timers, whose warnings and outcomes the `timer` rule announces. */
  timers?: StopTimers | undefined
  /** The GPU market watch, whose findings the `market` rule announces. */
  market?: MarketWatch | undefined
  /** The rules, in evaluation order (default: every rule, `ALERT_RULES`). */
  rules?: readonly AlertRuleDefinition[]
}

/** A part of the state, and how it was last stored (serialized): it is written again only when it changed. */
interface Stored<T> { state: T; stored: string }

/**
 * Evaluates the rules of the registry (`ALERT_RULES`) incrementally: a snapshot from one entry's poll
 * runs the rules over the entries' statuses (O(entries)) and that entry's instances only, so a cycle of
 * every account costs O(all instances) once, not once per account. Evaluations never overlap: entries
 * whose polls finish during one are evaluated together in the next, and their state parts saved in one
 * batch. Each part is stored when it changed, so a restart neither repeats an alert nor loses one. Also
 * announces every finished action to webhooks (`action.finished`).
 */
export class AlertEngine {
  readonly #options: AlertEngineOptions
  readonly #now: () => Date
  readonly #rules: readonly AlertRuleDefinition[]
  #global: Stored<AlertState> | null = null
  readonly #entries = new Map<string, Stored<EntryAlertState>>()
  /** Entries to evaluate next; `all` after start or a full `evaluate()`. */
  readonly #pending = new Set<string>()
  #all = false
  #running: Promise<void> | null = null
  /** Alerts raised by the evaluation running now: sent together when it ends. */
  #raised: Alert[] | null = null
  #started = false
  readonly #onSnapshot = (_snapshot: unknown, change: SnapshotChange): void => { void this.evaluate(change.entries) }
  readonly #onUpdate = (record: ActionRecord): void => { void this.#actionUpdate(record) }
  readonly #onTimer = (event: TimerEvent): void => { this.#hostEvent(rule => rule.timerEvent, event) }
  readonly #onMarket = (event: MarketEvent): void => { this.#hostEvent(rule => rule.marketEvent, event) }

  constructor (options: AlertEngineOptions) {
    this.#options = options
    this.#now = options.now ?? (() => new Date())
    this.#rules = options.rules ?? ALERT_RULES
  }

  start (): void {
    if (this.#started) return
    this.#started = true
    this.#options.aggregator.on('snapshot', this.#onSnapshot)
    this.#options.actions.on('update', this.#onUpdate)
    this.#options.timers?.on('timer', this.#onTimer)
    this.#options.market?.on('market', this.#onMarket)
  }

  async stop (): Promise<void> {
    this.#started = false
    this.#options.aggregator.off('snapshot', this.#onSnapshot)
    this.#options.actions.off('update', this.#onUpdate)
    this.#options.timers?.off('timer', this.#onTimer)
    this.#options.market?.off('market', this.#onMarket)
    await this.#running
  }

  /**
   * Evaluate the current snapshot for these entries (all of them when omitted); resolves when every
   * evaluation asked for so far has run. Joins one in progress rather than overlapping it.
   */
  async evaluate (entryIds?: readonly string[]): Promise<void> {
    if (entryIds === undefined) this.#all = true
    else for (const id of entryIds) this.#pending.add(id)
    this.#running ??= this.#drain()
    return await this.#running
  }

  async #drain (): Promise<void> {
    await null // evaluate() stores this promise before the first check below
    for (;;) {
      const ids = this.#all ? this.#options.aggregator.ids() : [...this.#pending]
      this.#all = false
      this.#pending.clear()
      if (ids.length === 0) {
        this.#running = null
        return
      }
      this.#raised = []
      try {
        await this.#evaluateOnce(ids)
      } catch (err) {
        // The store logs its own failures once per burst.
        if ((err as { code?: unknown }).code !== 'CW_ERR_STORE') this.#options.log.error({ err: { message: (err as Error).message } }, 'alert evaluation failed')
      } finally {
        const raised = this.#raised
        this.#raised = null
        if (raised.length > 0) this.#options.send(raised)
      }
    }
  }

  async #evaluateOnce (ids: readonly string[]): Promise<void> {
    const o = this.#options
    const global = await this.#loadGlobal()
    const now = this.#now()
    const snapshot = o.aggregator.snapshot
    const mutes = await o.mutes.list('all')
    const ctx: RuleContext = {
      now,
      snapshot,
      state: global.state,
      config: o.config,
      aggregator: o.aggregator,
      actions: o.actions,
      watches: o.watches,
      keepAlive: o.keepAlive,
      log: o.log,
      timeZone: o.timeZone,
      budget: o.budget,
      ledger: o.ledger,
      muted: (providerId, instanceId) => isMuted(mutes, providerId, instanceId),
      emit: (alert) => this.#emit(alert),
      text: (key, args) => this.#text(key, args),
      persist: async () => { await this.#save([]) }
    }
    for (const rule of this.#rules) await rule.evaluate?.(ctx)
    const cutoff = now.getTime() - FIRED_TTL_MS
    const evaluated: string[] = []
    for (const id of ids) {
      const status = o.aggregator.status(id)
      // A failing entry raises no instance alerts: its data is stale. One not polled yet has none.
      if (!status?.ok) continue
      const local = await this.#loadEntry(id)
      evaluated.push(id)
      const entryCtx: EntryRuleContext = {
        ...ctx,
        entry: { id, type: status.type },
        instances: o.aggregator.instancesOf(id),
        find: (instanceId) => o.aggregator.find(id, instanceId),
        local: local.state,
        persist: async () => { await this.#save([id]) }
      }
      for (const rule of this.#rules) await rule.evaluateEntry?.(entryCtx)
      const fired = local.state.fired
      for (const k in fired) if (Date.parse(fired[k]!) < cutoff) delete fired[k]
    }
    await this.#save(evaluated)
  }

  async #loadGlobal (): Promise<Stored<AlertState>> {
    if (this.#global) return this.#global
    const stored = await this.#options.store.get<Record<string, unknown>>(STATE_KEY) ?? {}
    const empty = emptyState(this.#rules)
    const state = { ...empty, ...Object.fromEntries(Object.entries(stored).filter(([key]) => key in empty)) } as AlertState
    this.#global = { state, stored: JSON.stringify(state) }
    if (isLegacy(stored)) await this.#migrate(stored)
    return this.#global
  }

  async #loadEntry (id: string): Promise<Stored<EntryAlertState>> {
    let entry = this.#entries.get(id)
    if (entry) return entry
    const state = { ...emptyEntryState(this.#rules), ...await this.#options.store.get<EntryAlertState>(entryKey(id)) }
    entry = { state, stored: JSON.stringify(state) }
    this.#entries.set(id, entry)
    return entry
  }

  /**
   * Before per-entry parts, one `state` held every instance's keys as `<entry>/<instance>`: split it
   * into the entries' parts and store them, once.
   */
  async #migrate (legacy: LegacyState): Promise<void> {
    const parts = new Map<string, EntryAlertState>()
    const part = (entry: string): EntryAlertState => {
      let p = parts.get(entry)
      if (!p) parts.set(entry, p = { ...emptyEntryState(this.#rules), fired: {}, presence: {}, keepAlive: {} })
      return p
    }
    const split = (k: string): [string, string] => [k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1)]
    for (const [k, v] of Object.entries(legacy.presence ?? {})) { const [entry, id] = split(k); part(entry).presence[id] = v }
    for (const [k, v] of Object.entries(legacy.keepAlive ?? {})) { const [entry, id] = split(k); part(entry).keepAlive[id] = v }
    for (const [k, v] of Object.entries(legacy.fired ?? {})) {
      // `release:lab/uuid@deadline:24` → entry `lab`, `release:uuid@deadline:24`
      const colon = k.indexOf(':')
      const [entry, rest] = split(k.slice(colon + 1))
      part(entry).fired[`${k.slice(0, colon)}:${rest}`] = v
    }
    for (const [id, state] of parts) this.#entries.set(id, { state, stored: '' })
    this.#global!.stored = ''
    await this.#save([...parts.keys()])
    this.#options.log.info({ entries: parts.size }, 'alert state split into per-entry parts')
  }

  /** Store the global part and these entries' parts where they changed, in one batch (most evaluations change nothing). */
  async #save (ids: readonly string[]): Promise<void> {
    const writes: Array<Promise<void>> = []
    const write = <T>(key: string, part: Stored<T>): void => {
      const serialized = JSON.stringify(part.state)
      if (serialized === part.stored) return
      writes.push(this.#options.store.set(key, part.state).then(() => { part.stored = serialized }))
    }
    if (this.#global) write(STATE_KEY, this.#global)
    for (const id of ids) {
      const entry = this.#entries.get(id)
      if (entry) write(entryKey(id), entry)
    }
    await Promise.all(writes)
  }

  #emit (alert: Omit<Alert, 'id' | 'at'>): void {
    const full: Alert = { ...alert, id: randomUUID(), at: this.#now().toISOString() }
    this.#options.log.info({ event: full.event, provider: full.provider.id, instance: full.instance?.id }, 'alert')
    if (this.#raised) this.#raised.push(full)
    else this.#options.send([full])
  }

  async #actionUpdate (record: ActionRecord): Promise<void> {
    if (record.status !== 'succeeded' && record.status !== 'failed') return
    const mutes = await this.#options.mutes.list('all').catch(() => [])
    const ctx = this.#actionContext((providerId, instanceId) => isMuted(mutes, providerId, instanceId))
    for (const rule of this.#rules) {
      try {
        await rule.actionFinished?.(record, ctx)
      } catch (err) {
        this.#options.log.error({ rule: rule.name, err: { message: (err as Error).message } }, 'announcing the end of an action failed')
      }
    }
  }

  /** A stop timer's or the market watch's event, to the rules that announce it. */
  #hostEvent<E> (hook: (rule: AlertRuleDefinition) => ((event: E, ctx: ActionContext) => void) | undefined, event: E): void {
    const ctx = this.#actionContext()
    for (const rule of this.#rules) {
      try {
        hook(rule)?.call(rule, event, ctx)
      } catch (err) {
        this.#options.log.error({ rule: rule.name, err: { message: (err as Error).message } }, 'announcing an event failed')
      }
    }
  }

  #actionContext (muted: ActionContext['muted'] = () => false): ActionContext {
    return {
      aggregator: this.#options.aggregator, watches: this.#options.watches, config: this.#options.config, muted, now: this.#now, timeZone: this.#options.timeZone, emit: (alert) => this.#emit(alert), text: (key, args) => this.#text(key, args)
    }
  }

  /** A message in both languages; `args` may depend on the language (durations, times). */
  #text (key: string, args: (language: Language) => Record<string, unknown>): Texts {
    const { translators } = this.#options
    return { zh: translators.zh(key, args('zh')), en: translators.en(key, args('en')) }
  }
}

/** The stored state before per-entry parts: instance keys were `<entry>/<instance id>`. */
interface LegacyState {
  fired?: Record<string, string>
  presence?: Record<string, EntryAlertState['presence'][string]>
  keepAlive?: Record<string, string>
}

function isLegacy (stored: Record<string, unknown>): stored is Record<string, unknown> & LegacyState {
  return 'fired' in stored || 'presence' in stored || 'keepAlive' in stored
}

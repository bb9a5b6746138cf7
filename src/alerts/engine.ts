import { randomUUID } from 'node:crypto'
import type { Keyv } from 'keyv'
import type { ActionRecord } from '../actions/record.js'
import type { ActionService } from '../actions/service.js'
import type { AlertsConfig } from '../config/schema.js'
import type { Aggregator } from '../core/aggregator.js'
import type { Logger } from '../core/logger.js'
import type { Language, Translate } from '../present/i18n.js'
import type { Alert, Texts } from '../notify/alert.js'
import { emptyState, type AlertState, type FollowUp, type RuleContext } from './context.js'
import { isMuted, type MuteList } from './mutes.js'
import type { ActionContext, AlertRuleDefinition } from './rule.js'
import { ALERT_RULES } from './rules/index.js'
import type { WatchList } from './watches.js'

const STATE_KEY = 'state'
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
  /** Where alerts go (the dispatcher). */
  send: (alert: Alert) => void
  translators: Record<Language, Translate>
  timeZone: string | null
  log: Logger
  now?: () => Date
  /** The rules, in evaluation order (default: every rule, `ALERT_RULES`). */
  rules?: readonly AlertRuleDefinition[]
}

/**
 * Evaluates every rule of the registry (`ALERT_RULES`) on every new snapshot, in order. Evaluations never overlap (a snapshot that arrives
 * during one causes one more). Its state is stored after each evaluation, so a restart neither repeats
 * an alert nor loses one. Also announces every finished action to webhooks (`action.finished`).
 */
export class AlertEngine {
  readonly #options: AlertEngineOptions
  readonly #now: () => Date
  readonly #followUps = new Map<string, FollowUp>()
  readonly #rules: readonly AlertRuleDefinition[]
  #state: AlertState | null = null
  /** The state as last stored, serialized: it is written again only when it changed. */
  #stored = ''
  #running: Promise<void> | null = null
  #again = false
  #started = false
  readonly #onSnapshot = (): void => { void this.evaluate() }
  readonly #onUpdate = (record: ActionRecord): void => { void this.#actionUpdate(record) }

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
  }

  async stop (): Promise<void> {
    this.#started = false
    this.#options.aggregator.off('snapshot', this.#onSnapshot)
    this.#options.actions.off('update', this.#onUpdate)
    await this.#running
  }

  /** Evaluate the current snapshot (joins one in progress, and runs once more after it). */
  async evaluate (): Promise<void> {
    if (this.#running) {
      this.#again = true
      return await this.#running
    }
    this.#running = (async () => {
      do {
        this.#again = false
        try {
          await this.#evaluateOnce()
        } catch (err) {
          // The store logs its own failures once per burst.
          if ((err as { code?: unknown }).code !== 'CW_ERR_STORE') this.#options.log.error({ err: { message: (err as Error).message } }, 'alert evaluation failed')
        }
      } while (this.#again)
    })().finally(() => { this.#running = null })
    return await this.#running
  }

  async #evaluateOnce (): Promise<void> {
    const o = this.#options
    if (this.#state === null) {
      this.#state = { ...emptyState(this.#rules), ...await o.store.get<AlertState>(STATE_KEY) }
      this.#stored = JSON.stringify(this.#state)
    }
    const state = this.#state
    const now = this.#now()
    const snapshot = o.aggregator.snapshot
    const mutes = await o.mutes.list('all')
    const ctx: RuleContext = {
      now,
      snapshot,
      state,
      config: o.config,
      failing: new Set(snapshot.providers.filter(p => !p.ok).map(p => p.id)),
      aggregator: o.aggregator,
      actions: o.actions,
      watches: o.watches,
      keepAlive: o.keepAlive,
      log: o.log,
      timeZone: o.timeZone,
      muted: (providerId, instanceId) => isMuted(mutes, providerId, instanceId),
      emit: (alert) => this.#emit(alert),
      text: (key, args) => this.#text(key, args),
      follow: (actionId, onEnd) => { this.#followUps.set(actionId, onEnd) },
      persist: async () => { await this.#save(state) }
    }
    for (const rule of this.#rules) await rule.evaluate?.(ctx)
    const cutoff = now.getTime() - FIRED_TTL_MS
    for (const [k, at] of Object.entries(state.fired)) if (Date.parse(at) < cutoff) delete state.fired[k]
    await this.#save(state)
  }

  /** Store the state if it changed since it was last stored (most snapshots change nothing). */
  async #save (state: AlertState): Promise<void> {
    const serialized = JSON.stringify(state)
    if (serialized === this.#stored) return
    await this.#options.store.set(STATE_KEY, state)
    this.#stored = serialized
  }

  #emit (alert: Omit<Alert, 'id' | 'at'>): void {
    const full: Alert = { ...alert, id: randomUUID(), at: this.#now().toISOString() }
    this.#options.log.info({ event: full.event, provider: full.provider.id, instance: full.instance?.id }, 'alert')
    this.#options.send(full)
  }

  async #actionUpdate (record: ActionRecord): Promise<void> {
    if (record.status !== 'succeeded' && record.status !== 'failed') return
    const followUp = this.#followUps.get(record.id)
    this.#followUps.delete(record.id)
    try {
      await followUp?.(record)
    } catch (err) {
      this.#options.log.error({ err: { message: (err as Error).message } }, 'alert follow-up failed')
    }
    const ctx: ActionContext = { aggregator: this.#options.aggregator, emit: (alert) => this.#emit(alert), text: (key, args) => this.#text(key, args) }
    for (const rule of this.#rules) rule.actionFinished?.(record, ctx)
  }

  /** A message in both languages; `args` may depend on the language (durations, times). */
  #text (key: string, args: (language: Language) => Record<string, unknown>): Texts {
    const { translators } = this.#options
    return { zh: translators.zh(key, args('zh')), en: translators.en(key, args('en')) }
  }
}

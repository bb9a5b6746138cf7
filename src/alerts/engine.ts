import { randomUUID } from 'node:crypto'
import type { Keyv } from 'keyv'
import type { ActionRecord } from '../actions/record.js'
import type { ActionService } from '../actions/service.js'
import type { AlertsConfig } from '../config/schema.js'
import type { Aggregator } from '../core/aggregator.js'
import type { Logger } from '../core/logger.js'
import type { Language, Translate } from '../present/i18n.js'
import type { Alert } from '../notify/alert.js'
import { emptyState, type AlertState, type FollowUp, type RuleContext } from './context.js'
import { isMuted, type MuteList } from './mutes.js'
import { gpuWatches } from './rules/gpu.js'
import { presence, providerHealth } from './rules/health.js'
import { autoKeepAlive } from './rules/keep-alive.js'
import { expiryLadder, releaseLadder } from './rules/ladders.js'
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
}

/**
 * Evaluates every rule on every new snapshot: provider health, offline/online, GPU watches, the release
 * ladder, automatic keep-alive, the expiry ladder. Evaluations never overlap (a snapshot that arrives
 * during one causes one more). Its state is stored after each evaluation, so a restart neither repeats
 * an alert nor loses one. Also announces every finished action to webhooks (`action.finished`).
 */
export class AlertEngine {
  readonly #options: AlertEngineOptions
  readonly #now: () => Date
  readonly #followUps = new Map<string, FollowUp>()
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
          this.#options.log.error({ err: { message: (err as Error).message } }, 'alert evaluation failed')
        }
      } while (this.#again)
    })().finally(() => { this.#running = null })
    return await this.#running
  }

  async #evaluateOnce (): Promise<void> {
    const o = this.#options
    if (this.#state === null) {
      this.#state = { ...emptyState(), ...await o.store.get<AlertState>(STATE_KEY) }
      this.#stored = JSON.stringify(this.#state)
    }
    const state = this.#state
    const now = this.#now()
    const snapshot = o.aggregator.snapshot
    const mutes = await o.mutes.list()
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
      muted: (provider, instanceId) => isMuted(mutes, provider, instanceId),
      emit: (alert) => this.#emit(alert),
      text: (key, args) => ({ zh: o.translators.zh(key, args('zh')), en: o.translators.en(key, args('en')) }),
      follow: (actionId, onEnd) => { this.#followUps.set(actionId, onEnd) },
      persist: async () => { await this.#save(state) }
    }
    providerHealth(ctx)
    presence(ctx)
    await gpuWatches(ctx)
    releaseLadder(ctx)
    await autoKeepAlive(ctx)
    expiryLadder(ctx)
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
    const entry = this.#options.aggregator.get(record.provider)
    const o = this.#options
    this.#emit({
      event: 'action.finished', rule: 'action', provider: { id: record.provider, type: entry?.type ?? '' }, instance: null,
      text: {
        zh: o.translators.zh('alert.actionFinished', { kind: record.kind, name: record.instanceName, provider: record.provider, status: record.status }),
        en: o.translators.en('alert.actionFinished', { kind: record.kind, name: record.instanceName, provider: record.provider, status: record.status })
      },
      telegramUserIds: [],
      data: { action: record }
    })
  }
}

import { EventEmitter } from 'node:events'
import type { Keyv } from 'keyv'
import PQueue from 'p-queue'
import parseDuration from 'parse-duration'
import { describeActor, type Actor, type AuditLog } from '../audit/log.js'
import type { Aggregator, SnapshotChange } from '../core/aggregator.js'
import { ConflictError, NotFoundError, RequestValidationError } from '../core/errors.js'
import type { Logger } from '../core/logger.js'
import { canSee, type Viewer } from '../core/visibility.js'
import type { ActionRecord } from './record.js'
import type { ActionRequest, ActionService } from './service.js'

/** A stop timer: the host powers the instance off at `stopAt`. Kept in the store (keyv namespace `timers`). */
export interface StopTimer {
  /** The provider entry's id (`Instance.provider`). */
  provider: string
  instanceId: string
  /** Display name when the timer was set. */
  instanceName: string
  /** When the instance is powered off, ISO 8601. */
  stopAt: string
  /** When the timer was set or last changed, ISO 8601. */
  setAt: string
  /** Who set it: the power-off runs as `system:stop timer` on their behalf. */
  setBy: Actor
  /** The power-on it was set with, if any: a failed power-on drops the timer. */
  powerOnId: string | null
  /** The warning before `stopAt` went out (reset by an extension). */
  warned: boolean
  /** The instance was seen running since the timer was set: seen stopped after that, it was powered off by other means. */
  seenRunning: boolean
  /** The power-off the timer started, while it runs. */
  powerOffId: string | null
  /** Power-off attempts that failed so far. */
  failures: number
  /** After a failed attempt: the next one, ISO 8601. */
  retryAt: string | null
}

/** What a stop timer did, for alerts (`timer.warning`, `timer.stopped`, `timer.failed`). */
export type TimerEvent =
  /** `warningMs` before `stopAt`: the user can still extend it or stop now. */
  | { kind: 'warning'; timer: StopTimer }
  /** The timer's power-off succeeded. */
  | { kind: 'stopped'; timer: StopTimer; record: ActionRecord }
  /** The power-off failed {@link MAX_FAILURES} times (or cannot be done): the instance may still be running. */
  | { kind: 'failed'; timer: StopTimer; error: string }

export interface StopTimerOptions {
  actions: ActionService
  aggregator: Aggregator
  audit: AuditLog
  /** keyv namespace `timers`. */
  store: Keyv
  log: Logger
  /** How long before `stopAt` the warning goes out, milliseconds (`alerts.stopTimerWarningMinutes`). */
  warningMs: number
  /** Time between two power-off attempts after a failure, milliseconds (default 60 000). */
  retryMs?: number
  now?: () => Date
}

/** Shortest and longest stop timer, milliseconds: 1 minute to 7 days. */
export const MIN_STOP_AFTER_MS = 60_000
export const MAX_STOP_AFTER_MS = 7 * 86400_000
/** Failed power-off attempts before a timer gives up and says so. */
export const MAX_FAILURES = 5
/** The longest sleep between two checks, milliseconds: a clock change or a long timer is caught within it. */
const MAX_SLEEP_MS = 3600_000
const KEY = 'timers'
const REASON = 'stop timer'

/**
 * `30m`, `3h`, `1h30m`, `2d` → milliseconds (parse-duration).
 * @throws RequestValidationError (HTTP 400) naming `field` and the allowed range, 1 minute to 7 days.
 */
export function parseStopAfter (text: string, field = 'stopAfter'): number {
  const ms = parseDuration(text.trim())
  if (ms === null || !Number.isFinite(ms)) throw new RequestValidationError(`${field}: "${text}" is not a duration; write e.g. 30m, 3h, 1h30m, 2d`)
  checkRange(ms, field)
  return ms
}

const keyOf = (provider: string, instanceId: string): string => `${provider}/${instanceId}`

/**
 * Stop timers: "run this instance for 3 hours". A timer is set with a power-on ({@link powerOn}) or on
 * an instance that runs ({@link set}); `warningMs` before its time it announces a `warning` (the bot
 * offers [Extend 1h] [Stop now]), and at its time it powers the instance off through the
 * {@link ActionService} as `system:stop timer` (on behalf of the Telegram user who set it), like any
 * other action: checked on a fresh list, never sent twice, audited.
 *
 * Timers are kept in the store and re-armed by {@link start}: a timer due while the host was down fires
 * at once after the restart. A timer ends when its power-off succeeded, when the instance was seen
 * stopped by other means after running, when it disappears from its entry, when its power-on failed, or
 * when it is cancelled. A failed power-off is tried again every `retryMs`, {@link MAX_FAILURES} times,
 * then announced as `failed`. Every change is written to the audit log (action `stop-timer`).
 * The view shows each timer as `Instance.stopAt` ({@link Aggregator.setStopAt}).
 */
export class StopTimers extends EventEmitter<{ timer: [TimerEvent] }> {
  readonly #o: StopTimerOptions
  readonly #now: () => Date
  readonly #timers = new Map<string, StopTimer>()
  /** Changes one at a time: each writes the list the previous one left. */
  readonly #changes = new PQueue({ concurrency: 1 })
  #sleep: NodeJS.Timeout | null = null
  #started = false
  readonly #onSnapshot = (_snapshot: unknown, change: SnapshotChange): void => { void this.#observe(change.entries) }
  readonly #onUpdate = (record: ActionRecord): void => { void this.#actionUpdate(record) }

  constructor (options: StopTimerOptions) {
    super()
    this.#o = options
    this.#now = options.now ?? (() => new Date())
  }

  /** Read the stored timers, show them in the view, follow snapshots and actions, and arm the next check. */
  async start (): Promise<void> {
    if (this.#started) return
    this.#started = true
    for (const timer of await this.#o.store.get<StopTimer[]>(KEY) ?? []) {
      // A power-off in flight when the host stopped is not followed any more: the next check reads the list again.
      this.#timers.set(keyOf(timer.provider, timer.instanceId), { ...timer, powerOffId: null })
      this.#o.aggregator.setStopAt(timer.provider, timer.instanceId, timer.stopAt)
    }
    this.#o.aggregator.on('snapshot', this.#onSnapshot)
    this.#o.actions.on('update', this.#onUpdate)
    if (this.#timers.size > 0) this.#o.log.info({ timers: this.#timers.size }, 'stop timers restored')
    this.#arm()
  }

  async stop (): Promise<void> {
    this.#started = false
    if (this.#sleep) clearTimeout(this.#sleep)
    this.#sleep = null
    this.#o.aggregator.off('snapshot', this.#onSnapshot)
    this.#o.actions.off('update', this.#onUpdate)
    await this.#changes.onIdle()
  }

  /**
   * Power on with a stop timer: the action of {@link ActionService.start} with `stopAt` on its record,
   * and the timer set once the provider accepted it. `stopAfterMs` counts from now.
   * @throws RequestValidationError for a duration out of range; what {@link ActionService.start} throws.
   */
  async powerOn (request: Omit<ActionRequest, 'kind' | 'stopAt'>, stopAfterMs: number): Promise<ActionRecord> {
    checkRange(stopAfterMs)
    const stopAt = new Date(this.#now().getTime() + stopAfterMs).toISOString()
    const record = await this.#o.actions.start({ ...request, kind: 'power-on', stopAt })
    await this.#put({
      provider: record.provider, instanceId: record.instanceId, instanceName: record.instanceName, stopAt, setBy: request.actor, powerOnId: record.id, seenRunning: false
    }, `set with the power-on, stops at ${stopAt}`)
    return record
  }

  /**
   * Set (or replace) the stop timer of a running or starting instance: it is powered off `stopAfterMs` from now.
   * @throws NotFoundError (no such instance for `viewer`), ConflictError (it is not running or starting), RequestValidationError (range).
   */
  async set (target: { provider: string; instanceId: string; viewer: Viewer | 'all' }, stopAfterMs: number, actor: Actor): Promise<StopTimer> {
    checkRange(stopAfterMs)
    const instance = this.#visible(target)
    if (instance.state !== 'running' && instance.state !== 'starting') {
      throw new ConflictError(`${instance.name} is ${instance.state}: a stop timer is set on a running instance, or with its power-on (/on <instance> for 3h)`, { state: instance.state })
    }
    const stopAt = new Date(this.#now().getTime() + stopAfterMs).toISOString()
    return await this.#put({
      provider: instance.provider, instanceId: instance.id, instanceName: instance.name, stopAt, setBy: actor, powerOnId: null, seenRunning: instance.state === 'running'
    }, `stops at ${stopAt}`)
  }

  /**
   * Move a timer `byMs` later (from its time, or from now when that has passed); the warning is given again.
   * @throws NotFoundError when the instance has no timer (for `viewer`); ConflictError while its power-off runs.
   */
  async extend (target: { provider: string; instanceId: string; viewer: Viewer | 'all' }, byMs: number, actor: Actor): Promise<StopTimer> {
    checkRange(byMs)
    return await this.#changes.add(async () => {
      const timer = this.#own(target)
      if (timer.powerOffId !== null) throw new ConflictError(`${timer.instanceName} is being powered off by its timer already`, { actionId: timer.powerOffId })
      const from = Math.max(Date.parse(timer.stopAt), this.#now().getTime())
      const stopAt = new Date(Math.min(from + byMs, this.#now().getTime() + MAX_STOP_AFTER_MS)).toISOString()
      Object.assign(timer, { stopAt, setAt: this.#now().toISOString(), warned: Date.parse(stopAt) - this.#now().getTime() <= this.#o.warningMs, failures: 0, retryAt: null })
      await this.#write(timer, actor, `extended: stops at ${stopAt}`)
      return { ...timer }
    })
  }

  /**
   * Remove a timer; the instance keeps running.
   * @throws NotFoundError when the instance has no timer (for `viewer`).
   */
  async cancel (target: { provider: string; instanceId: string; viewer: Viewer | 'all' }, actor: Actor): Promise<StopTimer> {
    return await this.#changes.add(async () => {
      const timer = this.#own(target)
      await this.#drop(timer, actor, 'cancelled')
      return timer
    })
  }

  /**
   * Power off now what a timer would power off later ([Stop now]): the timer's power-off, started by `actor`.
   * @throws NotFoundError when the instance has no timer (for `viewer`); what {@link ActionService.start} throws.
   */
  async stopNow (target: { provider: string; instanceId: string; viewer: Viewer | 'all' }, actor: Actor): Promise<ActionRecord> {
    const timer = this.#own(target)
    if (timer.powerOffId !== null) throw new ConflictError(`${timer.instanceName} is being powered off by its timer already`, { actionId: timer.powerOffId })
    return await this.#powerOff(timer, actor)
  }

  /** The timer of an instance, if `viewer` may see its entry. */
  get (provider: string, instanceId: string, viewer: Viewer | 'all' = 'all'): StopTimer | undefined {
    if (viewer !== 'all' && !canSee(viewer, provider)) return undefined
    const timer = this.#timers.get(keyOf(provider, instanceId))
    return timer && { ...timer }
  }

  /** Every timer `viewer` may see, soonest first. */
  list (viewer: Viewer | 'all' = 'all'): StopTimer[] {
    return [...this.#timers.values()].filter(t => viewer === 'all' || canSee(viewer, t.provider))
      .sort((a, b) => Date.parse(a.stopAt) - Date.parse(b.stopAt)).map(t => ({ ...t }))
  }

  /**
   * Do what is due now: warnings, power-offs, retries; then arm the next check. Runs by itself; tests
   * call it after moving the clock. Resolves when the power-offs it started were accepted or refused.
   */
  async check (): Promise<void> {
    const now = this.#now().getTime()
    for (const timer of [...this.#timers.values()]) {
      if (timer.powerOffId !== null) continue
      const stopAt = Date.parse(timer.stopAt)
      if (now >= stopAt) {
        if (timer.retryAt === null || now >= Date.parse(timer.retryAt)) await this.#powerOff(timer, { kind: 'system', reason: REASON, ...onBehalfOf(timer.setBy) }).catch(() => {})
      } else if (!timer.warned && now >= stopAt - this.#o.warningMs) {
        await this.#changes.add(async () => {
          timer.warned = true
          await this.#persist()
        })
        this.emit('timer', { kind: 'warning', timer: { ...timer } })
      }
    }
    this.#arm()
  }

  /** Start the timer's power-off; a refusal because the instance is off already ends the timer quietly. */
  async #powerOff (timer: StopTimer, actor: Actor): Promise<ActionRecord> {
    try {
      const record = await this.#o.actions.start({ kind: 'power-off', providerId: timer.provider, instanceId: timer.instanceId, actor, viewer: 'all' })
      await this.#changes.add(async () => {
        timer.powerOffId = record.id
        await this.#persist()
      })
      return record
    } catch (err) {
      const state = (err as ConflictError).details?.['state']
      if (err instanceof ConflictError && (state === 'stopped' || state === 'stopping')) {
        await this.#changes.add(async () => { await this.#drop(timer, actor, `ended: ${timer.instanceName} is ${String(state)} already`) })
      } else if (err instanceof NotFoundError) {
        await this.#changes.add(async () => { await this.#drop(timer, actor, `ended: ${(err as Error).message}`) })
      } else if (!(err instanceof ConflictError && err.details['actionId'] !== undefined)) {
        await this.#failed(timer, (err as Error).message)
      } else {
        // Another action runs on the instance: look again after it.
        await this.#changes.add(async () => { timer.retryAt = new Date(this.#now().getTime() + (this.#o.retryMs ?? 60_000)).toISOString() })
      }
      throw err
    }
  }

  async #failed (timer: StopTimer, error: string): Promise<void> {
    const gaveUp = await this.#changes.add(async () => {
      timer.failures++
      timer.powerOffId = null
      if (timer.failures >= MAX_FAILURES) {
        await this.#drop(timer, { kind: 'system', reason: REASON }, `gave up after ${timer.failures} failed power-offs: ${error}`)
        return true
      }
      timer.retryAt = new Date(this.#now().getTime() + (this.#o.retryMs ?? 60_000)).toISOString()
      await this.#persist()
      return false
    })
    this.#o.log.warn({ provider: timer.provider, instance: timer.instanceId, failures: timer.failures, error }, gaveUp ? 'stop timer gave up' : 'stop timer power-off failed; trying again')
    if (gaveUp) this.emit('timer', { kind: 'failed', timer: { ...timer }, error })
    this.#arm()
  }

  async #actionUpdate (record: ActionRecord): Promise<void> {
    if (record.status !== 'succeeded' && record.status !== 'failed') return
    const timer = this.#timers.get(keyOf(record.provider, record.instanceId))
    if (!timer) return
    if (record.id === timer.powerOffId) {
      if (record.status === 'failed') return await this.#failed(timer, record.error?.message ?? 'unknown error')
      await this.#changes.add(async () => { await this.#drop(timer, { kind: 'system', reason: REASON }, 'fired: powered off') })
      this.emit('timer', { kind: 'stopped', timer: { ...timer }, record })
    } else if (record.id === timer.powerOnId && record.status === 'failed') {
      await this.#changes.add(async () => { await this.#drop(timer, { kind: 'system', reason: REASON }, 'ended: the power-on failed') })
    }
  }

  /** On each snapshot of an entry with timers: note running, end timers of instances stopped by hand or gone. */
  async #observe (entries: readonly string[]): Promise<void> {
    if (this.#timers.size === 0) return
    const { aggregator, actions } = this.#o
    for (const timer of [...this.#timers.values()]) {
      if (!entries.includes(timer.provider) || timer.powerOffId !== null || !aggregator.status(timer.provider)?.ok) continue
      const instance = aggregator.find(timer.provider, timer.instanceId)
      const system: Actor = { kind: 'system', reason: REASON }
      if (!instance) {
        await this.#changes.add(async () => { await this.#drop(timer, system, `ended: ${timer.instanceName} is no longer listed`) })
      } else if (instance.state === 'running' && !timer.seenRunning) {
        await this.#changes.add(async () => {
          timer.seenRunning = true
          await this.#persist()
        })
      } else if (instance.state === 'stopped' && timer.seenRunning && actions.inProgress(timer.provider, timer.instanceId) === undefined) {
        await this.#changes.add(async () => { await this.#drop(timer, system, `ended: ${timer.instanceName} was powered off by other means`) })
      }
    }
  }

  /** Set a timer (replacing one on the same instance). */
  async #put (fields: Pick<StopTimer, 'provider' | 'instanceId' | 'instanceName' | 'stopAt' | 'setBy' | 'powerOnId' | 'seenRunning'>, detail: string): Promise<StopTimer> {
    return await this.#changes.add(async () => {
      const now = this.#now().getTime()
      // A timer shorter than the warning needs none: it was just set.
      const warned = Date.parse(fields.stopAt) - now <= this.#o.warningMs
      const timer: StopTimer = { ...fields, setAt: new Date(now).toISOString(), warned, powerOffId: null, failures: 0, retryAt: null }
      this.#timers.set(keyOf(timer.provider, timer.instanceId), timer)
      await this.#write(timer, fields.setBy, detail)
      return { ...timer }
    })
  }

  /** Store the list, show the timer's time in the view, audit, re-arm. Inside `#changes`. */
  async #write (timer: StopTimer, actor: Actor, detail: string): Promise<void> {
    await this.#persist()
    this.#o.aggregator.setStopAt(timer.provider, timer.instanceId, timer.stopAt)
    await this.#audit(timer, actor, detail)
    this.#arm()
  }

  /** Remove a timer, from the view too, and audit why. Inside `#changes`. */
  async #drop (timer: StopTimer, actor: Actor, detail: string): Promise<void> {
    const key = keyOf(timer.provider, timer.instanceId)
    if (this.#timers.get(key) !== timer) return
    this.#timers.delete(key)
    await this.#persist()
    this.#o.aggregator.setStopAt(timer.provider, timer.instanceId, null)
    await this.#audit(timer, actor, detail)
  }

  async #persist (): Promise<void> {
    await this.#o.store.set(KEY, [...this.#timers.values()])
  }

  async #audit (timer: StopTimer, actor: Actor, detail: string): Promise<void> {
    this.#o.log.info({ provider: timer.provider, instance: timer.instanceId, actor: describeActor(actor), detail }, 'stop timer')
    await this.#o.audit.append({
      actor, action: 'stop-timer', target: { provider: timer.provider, instanceId: timer.instanceId, name: timer.instanceName }, result: 'succeeded', detail
    })
  }

  /** The instance for `viewer`, from the view. */
  #visible (target: { provider: string; instanceId: string; viewer: Viewer | 'all' }): { provider: string; id: string; name: string; state: string } {
    const instance = target.viewer === 'all' || canSee(target.viewer, target.provider) ? this.#o.aggregator.find(target.provider, target.instanceId) : undefined
    if (!instance) throw new NotFoundError(`no instance "${target.instanceId}" in ${target.provider}`)
    return instance
  }

  #own (target: { provider: string; instanceId: string; viewer: Viewer | 'all' }): StopTimer {
    const timer = target.viewer === 'all' || canSee(target.viewer, target.provider) ? this.#timers.get(keyOf(target.provider, target.instanceId)) : undefined
    if (!timer) throw new NotFoundError(`no stop timer on ${target.provider}/${target.instanceId}`)
    return timer
  }

  /** Sleep until the next warning, power-off or retry (at most an hour). */
  #arm (): void {
    if (this.#sleep) clearTimeout(this.#sleep)
    this.#sleep = null
    if (!this.#started || this.#timers.size === 0) return
    let next = Infinity
    for (const t of this.#timers.values()) {
      if (t.powerOffId !== null) continue
      const stopAt = Date.parse(t.stopAt)
      const due = t.retryAt !== null ? Math.max(stopAt, Date.parse(t.retryAt)) : t.warned ? stopAt : stopAt - this.#o.warningMs
      next = Math.min(next, due)
    }
    if (next === Infinity) return
    const delay = Math.min(Math.max(0, next - this.#now().getTime()), MAX_SLEEP_MS)
    this.#sleep = setTimeout(() => { this.#sleep = null; void this.check() }, delay)
    this.#sleep.unref()
  }
}

function checkRange (ms: number, field = 'stopAfter'): void {
  if (!Number.isFinite(ms) || ms < MIN_STOP_AFTER_MS || ms > MAX_STOP_AFTER_MS) throw new RequestValidationError(`${field}: must be between 1 minute and 7 days`)
}

/** A timer set by a Telegram user powers off on their behalf (the audit log says whose timer it was). */
function onBehalfOf (actor: Actor): { onBehalfOf?: number } {
  return actor.kind === 'telegram' ? { onBehalfOf: actor.userId } : {}
}

import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Keyv } from 'keyv'
import type { Aggregator } from '../core/aggregator.js'
import { describeActor, type Actor, type AuditLog } from '../audit/log.js'
import { ConflictError, describeError, isHostError, NotFoundError, NotSupportedError, ProviderError, ProviderHttpError, ProviderTimeoutError } from '../core/errors.js'
import { hasIdleGpus, type Instance, type InstanceState } from '../core/instance.js'
import type { Logger } from '../core/logger.js'
import { canKeepAlive, type PowerOnMode } from '../core/provider.js'
import type { SecretRegistry } from '../core/secrets.js'
import type { Telemetry } from '../core/telemetry.js'
import { canSee, type Viewer } from '../core/visibility.js'
import type { ActionKind, ActionRecord } from './record.js'
import type { Budget } from '../money/budget.js'

export interface ActionRequest {
  kind: ActionKind
  /** The provider entry's id (`Instance.provider`). */
  providerId: string
  instanceId: string
  /** Power-on flavour; default `gpu`. Ignored for power-off; keep-alive always uses `no_gpu`. */
  mode?: PowerOnMode | undefined
  actor: Actor
  /** Power-on with a stop timer: when it will power the instance off (ISO 8601), kept on the record. See `StopTimers`. */
  stopAt?: string | undefined
  /** Whose view decides what exists: a Telegram user's, the API's (`{}`), or everything (`all`, the host's own rules). */
  viewer: Viewer | 'all'
}

export interface ActionServiceOptions {
  aggregator: Aggregator
  audit: AuditLog
  /** keyv namespace `actions`: records are kept for a week. */
  store: Keyv
  log: Logger
  /** How long one phase may take to reach its target state (e.g. stopped → running), milliseconds. */
  timeoutMs: number
  /** Time between two looks at the instance while following it, milliseconds (default 5000). */
  followIntervalMs?: number
  /** Budget of one provider call, milliseconds (default 60 000). */
  callTimeoutMs?: number
  /** Error texts are scrubbed of these before they reach records, messages and the audit log. */
  secrets?: SecretRegistry | undefined
  /** Where outcomes are counted (default: nowhere). */
  telemetry?: Telemetry | undefined
  /** Monthly budgets: automatic power-ons (actor `system`) are refused once one is reached. */
  budget?: Budget | undefined
  now?: () => Date
}

/** Hours of running an automatic power-on with GPU is projected to cost before the budget check. */
export const PROJECTED_HOURS = 1

const RECORD_TTL_MS = 7 * 86400_000
/** The store key listing the ids of actions not finished yet (pending or running). */
const UNFINISHED_KEY = 'unfinished'
const ON_STATES: readonly InstanceState[] = ['running', 'starting']
const OFF_STATES: readonly InstanceState[] = ['stopped', 'stopping']

/**
 * Power actions on instances, for the bot, the API, watches and keep-alive alike. `start()` checks
 * the request against a fresh list (the instance exists for that viewer, the provider can do it, the
 * state allows it, the host has the GPUs), asks the provider, and resolves once the provider accepted;
 * it then follows the instance to its target state in the background and emits `update` at each change.
 *
 * A request whose answer was lost (timeout, dropped connection) is never sent again: the list is read
 * again, and the action goes on only if the instance shows it was accepted. One action at a time per
 * instance. Everything is written to the audit log.
 *
 * Unfinished actions are listed in the store: after a crash, or when another replica takes over,
 * {@link resume} reconciles each one from the list — it follows what the instance shows was accepted,
 * and ends as failed what it cannot tell, never sending a request again.
 */
export class ActionService extends EventEmitter<{ update: [ActionRecord] }> {
  readonly #options: ActionServiceOptions
  readonly #now: () => Date
  readonly #locks = new Map<string, string>()
  readonly #records = new Map<string, ActionRecord>()
  readonly #running = new Map<string, Promise<ActionRecord>>()
  readonly #stop = new AbortController()
  /** Ids of this host's actions not finished yet, as last stored under {@link UNFINISHED_KEY}. */
  readonly #unfinished = new Set<string>()

  constructor (options: ActionServiceOptions) {
    super()
    this.#options = options
    this.#now = options.now ?? (() => new Date())
  }

  /**
   * Check and start an action; resolves with the `running` record once the provider accepted the first step.
   * @throws NotFoundError (no such entry or instance for this viewer), NotSupportedError, ConflictError
   *   (state, idle GPUs, another action in progress), or the provider's error when it refused or failed.
   */
  async start (request: ActionRequest): Promise<ActionRecord> {
    try {
      return await this.#start(request)
    } catch (err) {
      throw this.#scrubbed(err)
    }
  }

  /**
   * Run the checks of {@link start} (on a fresh list) without starting anything or writing the audit
   * log: what a confirmation shows before the action is asked for.
   * @returns the instance as the fresh list shows it.
   * @throws what {@link start} would throw for the same request before asking the provider.
   */
  async preview (request: Omit<ActionRequest, 'actor'>): Promise<Instance> {
    try {
      return await this.#check(request)
    } catch (err) {
      throw this.#scrubbed(err)
    }
  }

  async #start (request: ActionRequest): Promise<ActionRecord> {
    const key = `${request.providerId}/${request.instanceId}`
    const busy = this.#locks.get(key)
    if (busy !== undefined) {
      await this.#refused(request, `another action is in progress (${busy})`)
      throw new ConflictError(`another action is in progress on this instance (${busy})`, { actionId: busy })
    }
    this.#locks.set(key, 'checking')
    try {
      let instance: Instance
      try {
        instance = await this.#check(request)
        await this.#checkBudget(request, instance)
      } catch (err) {
        await this.#refused(request, (err as Error).message)
        throw err
      }
      const now = this.#now().toISOString()
      const record: ActionRecord = {
        id: randomUUID(), kind: request.kind, mode: request.kind === 'power-off' ? null : request.kind === 'keep-alive' ? 'no_gpu' : request.mode ?? 'gpu',
        provider: request.providerId, instanceId: request.instanceId, instanceName: instance.name, actor: request.actor, status: 'pending',
        step: request.kind === 'power-off' ? 'requesting power-off' : 'requesting power-on', instanceState: instance.state,
        createdAt: now, updatedAt: now, finishedAt: null, error: null,
        result: request.kind === 'keep-alive' ? { stoppedAtBefore: instance.stoppedAt } : null,
        ...(request.kind === 'power-on' && request.stopAt !== undefined ? { stopAt: request.stopAt } : {})
      }
      this.#locks.set(key, record.id)
      await this.#save(record)
      await this.#audit(record, 'requested', [record.mode ? `mode ${record.mode}` : '', record.stopAt ? `stop timer at ${record.stopAt}` : ''].filter(Boolean).join('; ') || undefined)
      try {
        await this.#request(record, request.kind === 'power-off' ? 'off' : 'on', record.mode ?? 'gpu')
      } catch (err) {
        await this.#finish(record, err)
        throw err
      }
      await this.#update(record, { status: 'running', step: request.kind === 'power-off' ? 'waiting for stopped' : 'waiting for running' })
      const run = this.#follow(record).finally(() => this.#running.delete(record.id))
      this.#running.set(record.id, run)
      return { ...record }
    } catch (err) {
      if (this.#locks.get(key) === 'checking') this.#locks.delete(key)
      throw err
    }
  }

  /**
   * The record of an action (from memory, or the store for a week), if `viewer` may see its provider
   * entry ({@link canSee}); `'all'` for the host's own use.
   */
  async get (id: string, viewer: Viewer | 'all'): Promise<ActionRecord | undefined> {
    const record = this.#records.get(id) ?? await this.#options.store.get<ActionRecord>(`action:${id}`)
    if (!record || (viewer !== 'all' && !canSee(viewer, record.provider))) return undefined
    return { ...record }
  }

  /** The record once the action has finished. */
  async settled (id: string): Promise<ActionRecord | undefined> {
    await this.#running.get(id)
    return await this.get(id, 'all')
  }

  /** The action in progress on an instance, if any. */
  inProgress (providerId: string, instanceId: string): string | undefined {
    const id = this.#locks.get(`${providerId}/${instanceId}`)
    return id === 'checking' ? undefined : id
  }

  /** Stop following; actions still under way stay unfinished in the store, and {@link resume} takes them over at the next start. */
  async close (): Promise<void> {
    this.#stop.abort()
    await Promise.allSettled([...this.#running.values()])
  }

  /**
   * Take over the actions the store lists as unfinished: left by a host that crashed, or by the leader
   * this replica replaced. Each is reconciled from a fresh list, never by asking the provider again:
   * - what the instance shows was accepted (a power-on's instance is starting or running) is followed
   *   to its end as if never interrupted;
   * - a keep-alive goes on from the phase the instance is in;
   * - anything else ends as failed, saying what the instance shows and that nothing was repeated.
   * Resolves once every action is reconciled or followed in the background ({@link settled}).
   * @returns the ids of the actions taken over.
   */
  async resume (): Promise<string[]> {
    const ids = await this.#options.store.get<string[]>(UNFINISHED_KEY) ?? []
    const taken: string[] = []
    for (const id of ids) {
      const record = await this.#options.store.get<ActionRecord>(`action:${id}`)
      if (!record || record.status === 'succeeded' || record.status === 'failed' || this.#running.has(id)) continue
      const key = `${record.provider}/${record.instanceId}`
      if (this.#locks.has(key)) continue
      this.#locks.set(key, record.id)
      this.#records.set(record.id, record)
      this.#unfinished.add(record.id)
      taken.push(record.id)
      this.#options.log.warn({ actionId: record.id, kind: record.kind, provider: record.provider, instance: record.instanceId, step: record.step }, 'an action left unfinished (by a crash, or by the previous leader) is reconciled from the list')
      const run = this.#reconcile(record).finally(() => this.#running.delete(record.id))
      this.#running.set(record.id, run)
    }
    // Ids whose records are gone or finished leave the list.
    await this.#saveUnfinished()
    return taken
  }

  async #reconcile (record: ActionRecord): Promise<ActionRecord> {
    try {
      const accepted = record.status === 'running'
      await this.#update(record, { step: `taken over from the host that stopped (${record.step}): reading the list; nothing is sent again` })
      const instance = await this.#lookUntilRead(record)
      const on = ON_STATES.includes(instance.state)
      const off = OFF_STATES.includes(instance.state)
      const name = record.instanceName
      const unknown = (what: string): ProviderError => new ProviderError(`the host that ran this action stopped ${accepted ? 'while it was under way' : 'before the provider answered'}; ` +
        `${name} is ${instance.state}, so ${what}. Nothing was sent again: check it and try again`)
      if (record.kind === 'power-on') {
        if (!on) throw unknown('the power-on did not take effect')
        await this.#update(record, { status: 'running', step: 'waiting for running' })
        await this.#waitFor(record, 'running', instance)
      } else if (record.kind === 'power-off') {
        if (!off) throw unknown('the power-off did not take effect')
        await this.#update(record, { status: 'running', step: 'waiting for stopped' })
        await this.#waitFor(record, 'stopped', instance)
      } else {
        // Keep-alive: its second phase (the power-off) began once its step names it.
        const secondPhase = /power-off|stopped|release clock/.test(record.step)
        if (!secondPhase && on) {
          await this.#update(record, { status: 'running' })
          await this.#keepAlive(record)
        } else if (secondPhase && off) {
          await this.#update(record, { status: 'running', step: 'waiting for stopped' })
          await this.#verifyRelease(record, await this.#waitFor(record, 'stopped', instance))
        } else {
          throw unknown(secondPhase ? 'its power-off did not take effect (it still runs in no-GPU mode)' : 'its power-on did not take effect')
        }
      }
      await this.#finish(record, null)
    } catch (err) {
      await this.#end(record, err)
    }
    return record
  }

  /** A fresh look, retried until the action's timeout while the provider cannot be read. */
  async #lookUntilRead (record: ActionRecord): Promise<Instance> {
    const deadline = this.#now().getTime() + this.#options.timeoutMs
    for (;;) {
      try {
        return await this.#look(record)
      } catch (err) {
        if (err instanceof NotFoundError || this.#now().getTime() > deadline) throw err
      }
      await this.#pause()
    }
  }

  /** Wait one follow interval. @throws Interrupted when the host stops meanwhile. */
  async #pause (): Promise<void> {
    try {
      await sleep(this.#options.followIntervalMs ?? 5000, undefined, { signal: this.#stop.signal })
    } catch {
      throw new Interrupted()
    }
  }

  async #check (request: Omit<ActionRequest, 'actor'>): Promise<Instance> {
    const { aggregator } = this.#options
    const entry = aggregator.get(request.providerId)
    if (!entry || (request.viewer !== 'all' && !canSee(request.viewer, request.providerId))) throw new NotFoundError(`no provider entry "${request.providerId}"`)
    const caps = entry.provider.capabilities
    const type = entry.type
    if (request.kind === 'power-on' && !caps.powerOn) throw new NotSupportedError('power on', type)
    if (request.kind === 'power-on' && request.mode === 'no_gpu' && !caps.noGpuMode) throw new NotSupportedError('power on in no-GPU mode', type)
    if (request.kind === 'power-off' && !caps.powerOff) throw new NotSupportedError('power off', type)
    if (request.kind === 'keep-alive' && !canKeepAlive(caps)) {
      throw new NotSupportedError('keep-alive', type)
    }
    // Decide on a fresh list, not on data up to a poll interval old.
    const [status] = await aggregator.refresh(request.providerId)
    if (!status?.ok) throw new ProviderError(`${request.providerId} cannot be read right now: ${status?.error?.message ?? 'unknown error'}`)
    const instance = aggregator.find(request.providerId, request.instanceId)
    if (!instance) throw new NotFoundError(`no instance "${request.instanceId}" in ${request.providerId}`)
    const name = instance.name
    if (request.kind === 'power-on' && ON_STATES.includes(instance.state)) throw new ConflictError(`${name} is already ${instance.state}`, { state: instance.state })
    if (request.kind === 'power-off' && OFF_STATES.includes(instance.state)) throw new ConflictError(`${name} is already ${instance.state}`, { state: instance.state })
    if (request.kind === 'keep-alive' && instance.state !== 'stopped') {
      throw new ConflictError(`keep-alive needs a stopped instance; ${name} is ${instance.state}`, { state: instance.state })
    }
    if (request.kind === 'power-on' && (request.mode ?? 'gpu') === 'gpu' && instance.gpu?.hostIdle != null && !hasIdleGpus(instance)) {
      const { hostIdle, hostTotal, requested } = instance.gpu
      throw new ConflictError(`the host of ${name} has ${hostIdle} of ${hostTotal ?? '?'} GPUs idle and the instance needs ${requested ?? 1}: ` +
        'power on in no-GPU mode, or watch for a free GPU', { hostIdle, hostTotal, requested })
    }
    return instance
  }

  /** Ask the provider; a lost answer is resolved by reading the list again, never by asking twice. */
  async #request (record: ActionRecord, verb: 'on' | 'off', mode: PowerOnMode): Promise<void> {
    const entry = this.#options.aggregator.get(record.provider)
    if (!entry) throw new NotFoundError(`no provider entry "${record.provider}"`)
    const signal = AbortSignal.timeout(this.#options.callTimeoutMs ?? 60_000)
    try {
      if (verb === 'on') await entry.provider.powerOn(record.instanceId, { mode, signal })
      else await entry.provider.powerOff(record.instanceId, { signal })
    } catch (err) {
      const lost = (err as { code?: string }).code === 'CW_ERR_PROVIDER_TIMEOUT' ||
        ((err as { code?: string }).code === 'CW_ERR_PROVIDER_HTTP' && (err as ProviderHttpError).httpStatus === null)
      if (!lost) throw err
      await this.#update(record, { step: `the answer to the power-${verb} was lost: reading the list again (the request is not repeated)` })
      const instance = await this.#look(record)
      const accepted = verb === 'on' ? ON_STATES.includes(instance.state) : OFF_STATES.includes(instance.state)
      if (!accepted) {
        throw new ProviderHttpError(`${(err as Error).message}; ${record.instanceName} is still ${instance.state}, so the request most likely did not arrive. ` +
          'It was not repeated: try again', null)
      }
      this.#options.log.info({ actionId: record.id }, 'answer lost, but the instance shows the request was accepted')
    }
  }

  async #follow (record: ActionRecord): Promise<ActionRecord> {
    try {
      if (record.kind === 'power-on') await this.#waitFor(record, 'running')
      else if (record.kind === 'power-off') await this.#waitFor(record, 'stopped')
      else await this.#keepAlive(record)
      await this.#finish(record, null)
    } catch (err) {
      await this.#end(record, err)
    }
    return record
  }

  /** A failed action is finished; one the host's stop interrupted stays unfinished in the store, for {@link resume}. */
  async #end (record: ActionRecord, err: unknown): Promise<void> {
    if (!(err instanceof Interrupted)) return await this.#finish(record, err)
    this.#locks.delete(`${record.provider}/${record.instanceId}`)
    this.#options.log.info({ actionId: record.id, step: record.step }, 'the host stops: this action is left to the next start (or the next leader), which reconciles it from the list')
  }

  /** Keep-alive after the no-GPU power-on was accepted: running → power off → stopped → the stop time moved. */
  async #keepAlive (record: ActionRecord): Promise<void> {
    await this.#waitFor(record, 'running')
    await this.#update(record, { step: 'requesting power-off' })
    await this.#request(record, 'off', 'no_gpu')
    await this.#update(record, { step: 'waiting for stopped' })
    await this.#verifyRelease(record, await this.#waitFor(record, 'stopped'))
  }

  /** Keep-alive's last step: the stop time must have moved past the one before the action. */
  async #verifyRelease (record: ActionRecord, stopped: Instance): Promise<void> {
    await this.#update(record, { step: 'verifying the release clock' })
    const before = record.result?.stoppedAtBefore ?? null
    const after = stopped.stoppedAt
    record.result = { stoppedAtBefore: before, stoppedAtAfter: after, releaseAt: stopped.releaseAt }
    if (after === null || (before !== null && Date.parse(after) <= Date.parse(before))) {
      throw new ProviderError(`the release clock did not reset: the stop time is still ${after ?? 'unknown'}${before ? ` (before: ${before})` : ''}`)
    }
  }

  /** Look at the instance until it is in `target`; fails on `error`, on disappearing, or after the timeout. */
  async #waitFor (record: ActionRecord, target: InstanceState, seen?: Instance): Promise<Instance> {
    if (seen?.state === target) return seen
    const deadline = this.#now().getTime() + this.#options.timeoutMs
    for (;;) {
      await this.#pause()
      const instance = await this.#look(record).catch(err => {
        if (err instanceof NotFoundError) throw err
        return null // the provider failed this once: keep trying until the deadline
      })
      if (instance?.state === target) return instance
      if (instance?.state === 'error') throw new ProviderError(`${record.instanceName} went into an error state (${instance.providerState})`)
      if (this.#now().getTime() > deadline) {
        throw new ProviderTimeoutError(`${record.instanceName} is still ${record.instanceState} after ${Math.round(this.#options.timeoutMs / 60_000)} min (alerts.actionTimeoutSeconds)`)
      }
    }
  }

  /** A fresh look at the instance; updates the record when its state changed. */
  async #look (record: ActionRecord): Promise<Instance> {
    const { aggregator } = this.#options
    const [status] = await aggregator.refresh(record.provider)
    if (!status?.ok) throw new ProviderError(status?.error?.message ?? 'the provider failed')
    const instance = aggregator.find(record.provider, record.instanceId)
    if (!instance) throw new NotFoundError(`${record.instanceName} is no longer listed by ${record.provider}`)
    if (instance.state !== record.instanceState) await this.#update(record, { instanceState: instance.state })
    return instance
  }

  /** `err` with registered secrets removed from its message (a provider's text is not trusted blindly). */
  #scrubbed (err: unknown): unknown {
    const secrets = this.#options.secrets
    if (secrets && err instanceof Error) err.message = secrets.scrub(err.message)
    return err
  }

  async #finish (record: ActionRecord, err: unknown): Promise<void> {
    const error = err === null ? null : describeError(this.#scrubbed(err))
    await this.#update(record, {
      status: error === null ? 'succeeded' : 'failed',
      step: error === null ? 'done' : record.step,
      error,
      finishedAt: this.#now().toISOString()
    })
    this.#locks.delete(`${record.provider}/${record.instanceId}`)
    this.#options.telemetry?.action(record.kind, error === null ? 'succeeded' : 'failed')
    const detail = error?.message ?? (record.kind === 'keep-alive' ? `new release time ${record.result?.releaseAt ?? 'unknown'}` : undefined)
    await this.#audit(record, error === null ? 'succeeded' : 'failed', detail)
    if (error !== null && !isHostError(err)) this.#options.log.error({ err: { message: error.message }, actionId: record.id }, 'action failed unexpectedly')
  }

  async #update (record: ActionRecord, changes: Partial<ActionRecord>): Promise<void> {
    Object.assign(record, changes, { updatedAt: this.#now().toISOString() })
    await this.#save(record)
    this.emit('update', { ...record })
  }

  async #save (record: ActionRecord): Promise<void> {
    this.#records.set(record.id, record)
    if (this.#records.size > 500) this.#records.delete(this.#records.keys().next().value!)
    await this.#options.store.set(`action:${record.id}`, { ...record }, RECORD_TTL_MS)
    const unfinished = record.status === 'pending' || record.status === 'running'
    if (unfinished !== this.#unfinished.has(record.id)) {
      if (unfinished) this.#unfinished.add(record.id)
      else this.#unfinished.delete(record.id)
      await this.#saveUnfinished()
    }
  }

  /** The list of unfinished actions, as this host knows it (it is the only one acting). */
  async #saveUnfinished (): Promise<void> {
    await this.#options.store.set(UNFINISHED_KEY, [...this.#unfinished])
  }

  async #audit (record: ActionRecord, result: 'requested' | 'succeeded' | 'failed', detail?: string): Promise<void> {
    this.#options.log.info({ actionId: record.id, kind: record.kind, provider: record.provider, instance: record.instanceId, actor: describeActor(record.actor), result }, 'action')
    await this.#options.audit.append({
      actor: record.actor, action: record.kind, target: { provider: record.provider, instanceId: record.instanceId, name: record.instanceName },
      result, detail, actionId: record.id
    })
  }

  /**
   * An automatic power-on (actor `system`: a watch, keep-alive) is refused when this month's observed
   * cost plus its projection reaches a budget: {@link PROJECTED_HOURS} at the listed price with GPU;
   * nothing in no-GPU mode (keep-alive runs minutes, and AutoDL's no-GPU price is not listed).
   * @throws ConflictError naming the budget, what was spent and the limit.
   */
  async #checkBudget (request: ActionRequest, instance: Instance): Promise<void> {
    const { budget } = this.#options
    if (!budget || request.actor.kind !== 'system' || request.kind === 'power-off') return
    const gpu = request.kind === 'power-on' && (request.mode ?? 'gpu') === 'gpu'
    const projected = gpu ? (instance.pricePerHour ?? 0) * PROJECTED_HOURS : 0
    const reached = await budget.refusal(request.providerId, projected)
    if (reached === null) return
    const scope = reached.scope === 'global' ? 'the monthly budget' : `the monthly budget of ${reached.scope}`
    throw new ConflictError(`${scope} is reached: ¥${reached.spentYuan.toFixed(2)} spent in ${reached.month}${projected > 0 ? ` + ¥${projected.toFixed(2)} projected for an hour` : ''} of ¥${reached.limitYuan.toFixed(2)}; automatic power-ons wait for next month or a higher budget`, { budget: reached })
  }

  async #refused (request: ActionRequest, reason: string): Promise<void> {
    this.#options.telemetry?.action(request.kind, 'refused')
    await this.#options.audit.append({
      actor: request.actor, action: request.kind, target: { provider: request.providerId, instanceId: request.instanceId }, result: 'refused',
      detail: this.#options.secrets?.scrub(reason) ?? reason
    })
  }
}

/** The host stopped while an action was under way: not a failure of the action. */
class Interrupted extends Error {
  constructor () { super('the host stopped before the action finished') }
}

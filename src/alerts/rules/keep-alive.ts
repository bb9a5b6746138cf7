import { formatDuration, formatTime } from '../../present/format.js'
import { HOUR_MS, type EntryRuleContext } from '../context.js'
import { defineRule, type ActionContext } from '../rule.js'
import type { ActionRecord } from '../../actions/record.js'
import type { Instance } from '../../core/instance.js'

/** The actor reason of an automatic keep-alive: how its end is recognized, on any host. */
const KEEP_ALIVE_REASON = 'keep-alive'

/**
 * Automatic keep-alive (opt-in per entry: `keepAlive: { enabled, beforeHours }`): a shut-down instance
 * whose release is within `beforeHours` is powered on in no-GPU mode and off again, and the stop time
 * is checked to have moved. The attempt is recorded BEFORE it starts, and an instance is tried at most
 * once per `keepAliveCooldownHours`, success or not: it never loops. The result is announced.
 */
async function autoKeepAlive (ctx: EntryRuleContext, settings: { keepAliveCooldownHours: number }): Promise<void> {
  const cooldownMs = settings.keepAliveCooldownHours * HOUR_MS
  const entry = ctx.keepAlive.get(ctx.entry.id)
  if (!entry) return
  for (const i of ctx.instances) {
    if (i.state !== 'stopped' || i.releaseAt === null) continue
    if (Date.parse(i.releaseAt) - ctx.now.getTime() > entry.beforeHours * HOUR_MS) continue
    const last = ctx.local.keepAlive[i.id]
    if (last !== undefined && ctx.now.getTime() - Date.parse(last) < cooldownMs) continue
    if (ctx.actions.inProgress(i.provider, i.id) !== undefined) continue
    ctx.local.keepAlive[i.id] = ctx.now.toISOString()
    await ctx.persist() // recorded before it starts: a crash mid-way cannot make it loop
    try {
      await ctx.actions.start({ kind: 'keep-alive', providerId: i.provider, instanceId: i.id, actor: { kind: 'system', reason: KEEP_ALIVE_REASON }, viewer: 'all' })
    } catch (err) {
      announce(ctx, i, cooldownMs, false, { step: 'requesting power-on', error: (err as Error).message })
    }
  }
}

/** `keepalive.succeeded` (not when muted) or `keepalive.failed` about `instance`. */
function announce (ctx: Pick<ActionContext, 'emit' | 'text' | 'muted'>, instance: Instance, cooldownMs: number, ok: boolean, args: Record<string, unknown>): void {
  if (ctx.muted(instance.provider, instance.id) && ok) return
  ctx.emit({
    event: ok ? 'keepalive.succeeded' : 'keepalive.failed', rule: 'keepalive', provider: { id: instance.provider, type: instance.providerType }, instance,
    text: ctx.text(ok ? 'alert.keepAliveOk' : 'alert.keepAliveFailed', lang => ({
      name: instance.name, provider: instance.provider, cooldown: formatDuration(cooldownMs, lang), ...args
    })),
    data: { automatic: true, ...args }
  })
}

/** The end of an automatic keep-alive, on whichever host finished it (a new leader finishes the old one's). */
function keepAliveEnded (record: ActionRecord, ctx: ActionContext): void {
  if (record.kind !== 'keep-alive' || record.actor.kind !== 'system' || record.actor.reason !== KEEP_ALIVE_REASON) return
  const instance = ctx.aggregator.find(record.provider, record.instanceId)
  if (!instance) return
  const cooldownMs = (ctx.config['keepAliveCooldownHours'] as number) * HOUR_MS
  if (record.status === 'succeeded') announce(ctx, instance, cooldownMs, true, { releaseAt: formatTime(record.result?.releaseAt ?? '', ctx.timeZone), newReleaseAt: record.result?.releaseAt })
  else announce(ctx, instance, cooldownMs, false, { step: record.step, error: record.error?.message ?? '' })
}

/** `keepalive.succeeded` / `keepalive.failed` of entries with `keepAlive.enabled`, at most once per `alerts.keepAliveCooldownHours`. */
export const keepAliveRule = defineRule<{ keepAliveCooldownHours: number }>({
  name: 'keepalive',
  events: ['keepalive.succeeded', 'keepalive.failed'],
  config: { keepAliveCooldownHours: { type: 'number', minimum: 1, maximum: 720, default: 12 } },
  state: [],
  entryState: ['keepAlive'],
  evaluateEntry: autoKeepAlive,
  actionFinished: keepAliveEnded
})

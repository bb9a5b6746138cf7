import { formatDuration, formatTime } from '../../present/format.js'
import { HOUR_MS, type EntryRuleContext } from '../context.js'
import { defineRule } from '../rule.js'

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
    const announce = (ok: boolean, args: Record<string, unknown>): void => {
      if (ctx.muted(i.provider, i.id) && ok) return
      ctx.emit({
        event: ok ? 'keepalive.succeeded' : 'keepalive.failed', rule: 'keepalive', provider: { id: i.provider, type: i.providerType }, instance: i,
        text: ctx.text(ok ? 'alert.keepAliveOk' : 'alert.keepAliveFailed', lang => ({
          name: i.name, provider: i.provider, cooldown: formatDuration(cooldownMs, lang), ...args
        })),
        data: { automatic: true, ...args }
      })
    }
    try {
      const record = await ctx.actions.start({ kind: 'keep-alive', providerId: i.provider, instanceId: i.id, actor: { kind: 'system', reason: 'keep-alive' }, viewer: 'all' })
      ctx.follow(record.id, (done) => {
        if (done.status === 'succeeded') announce(true, { releaseAt: formatTime(done.result?.releaseAt ?? '', ctx.timeZone), newReleaseAt: done.result?.releaseAt })
        else announce(false, { step: done.step, error: done.error?.message ?? '' })
      })
    } catch (err) {
      announce(false, { step: 'requesting power-on', error: (err as Error).message })
    }
  }
}

/** `keepalive.succeeded` / `keepalive.failed` of entries with `keepAlive.enabled`, at most once per `alerts.keepAliveCooldownHours`. */
export const keepAliveRule = defineRule<{ keepAliveCooldownHours: number }>({
  name: 'keepalive',
  events: ['keepalive.succeeded', 'keepalive.failed'],
  config: { keepAliveCooldownHours: { type: 'number', minimum: 1, maximum: 720, default: 12 } },
  state: [],
  entryState: ['keepAlive'],
  evaluateEntry: autoKeepAlive
})

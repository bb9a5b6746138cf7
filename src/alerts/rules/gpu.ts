import { formatTime, instanceLabel } from '../../present/format.js'
import { hasIdleGpus } from '../../core/instance.js'
import type { Watch } from '../watches.js'
import type { EntryRuleContext, RuleContext } from '../context.js'
import { defineRule } from '../rule.js'

/**
 * GPU watches: when the idle GPUs of a watched instance's host rise from below to at least what the
 * instance requests (0→N), tell the watch's user with a [Power on] button — or, for an `auto` watch
 * within its window, power on by itself and say how it went (the watch ends once it runs). N→N says
 * nothing. A failing provider's watches wait (their data is stale). Muted: the edge is recorded, silently.
 * Each poll looks at the watches of its own entry only.
 */
async function gpuWatches (ctx: EntryRuleContext): Promise<void> {
  const changed: Watch[] = []
  for (const watch of await ctx.watches.all()) {
    if (watch.provider !== ctx.entry.id) continue
    const instance = ctx.find(watch.instanceId)
    const notify = (textKey: string, args: Record<string, unknown>): void => ctx.emit({
      event: 'gpu.freed', rule: 'gpu', provider: { id: watch.provider, type: instance?.providerType ?? '' }, instance: instance ?? null,
      text: ctx.text(textKey, () => args), telegramUserIds: [watch.userId], telegramOnly: true, data: {}
    })
    if (!instance) {
      await ctx.watches.removeById(watch.id)
      notify('alert.watchGone', { name: watch.name })
      continue
    }
    if (watch.auto && watch.until !== null && Date.parse(watch.until) <= ctx.now.getTime()) {
      await ctx.watches.removeById(watch.id)
      notify('alert.watchEnded', { name: instanceLabel(instance) })
      continue
    }
    const free = hasIdleGpus(instance)
    if (free === watch.free) continue
    changed.push({ ...watch, free })
    if (!free) continue
    const gpu = instance.gpu!
    const figures = { name: instanceLabel(instance), idle: gpu.hostIdle, total: gpu.hostTotal ?? '?', requested: gpu.requested ?? 1 }
    if (watch.auto) {
      await powerOnFor(ctx, watch, figures)
      continue
    }
    if (ctx.muted(instance.provider, instance.id)) continue
    ctx.emit({
      event: 'gpu.freed', rule: 'gpu', provider: { id: instance.provider, type: instance.providerType }, instance,
      text: ctx.text('alert.gpuFreed', () => figures),
      buttons: [{ label: ctx.text('alert.powerOnButton', () => ({})), payload: { do: 'pick', verb: 'on', provider: instance.provider, instanceId: instance.id } }],
      telegramUserIds: [watch.userId],
      data: { hostIdle: gpu.hostIdle, hostTotal: gpu.hostTotal, requested: gpu.requested, watchUser: watch.userId }
    })
  }
  await ctx.watches.update(changed)
}

/** The automatic power-on of an `auto` watch, on behalf of its user (within what that user may see). */
async function powerOnFor (ctx: RuleContext, watch: Watch, figures: Record<string, unknown>): Promise<void> {
  const tell = (textKey: string, args: Record<string, unknown>): void => ctx.emit({
    event: 'gpu.freed', rule: 'gpu', provider: { id: watch.provider, type: '' }, instance: null,
    text: ctx.text(textKey, () => args), telegramUserIds: [watch.userId], data: { auto: true, watchUser: watch.userId }
  })
  const until = watch.until ? formatTime(watch.until, ctx.timeZone) : ''
  try {
    const record = await ctx.actions.start({
      kind: 'power-on', mode: 'gpu', providerId: watch.provider, instanceId: watch.instanceId,
      actor: { kind: 'system', reason: 'gpu watch', onBehalfOf: watch.userId }, viewer: { telegramUserId: watch.userId }
    })
    tell('alert.gpuAutoStarting', figures)
    ctx.follow(record.id, async (done) => {
      if (done.status === 'succeeded') {
        await ctx.watches.removeById(watch.id)
        tell('alert.gpuAutoDone', figures)
      } else {
        tell('alert.gpuAutoFailed', { ...figures, error: done.error?.message ?? '', until })
      }
    })
  } catch (err) {
    // Someone else took the GPU first, or the provider refused: keep watching until the window ends.
    tell('alert.gpuAutoFailed', { ...figures, error: (err as Error).message, until })
  }
}

/** `gpu.freed`: the watches users set with `/watch` (their state is the watch list itself). */
export const gpuRule = defineRule({
  name: 'gpu',
  events: ['gpu.freed'],
  state: [],
  evaluateEntry: gpuWatches
})

import { formatTime, instanceLabel } from '../../present/format.js'
import { hasIdleGpus } from '../../core/instance.js'
import type { Watch } from '../watches.js'
import type { ActionRecord } from '../../actions/record.js'
import type { EntryRuleContext, RuleContext } from '../context.js'
import { defineRule, type ActionContext } from '../rule.js'

/** The actor reason of an `auto` watch's power-on: how its end is recognized, on any host. */
const WATCH_REASON = 'gpu watch'

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

/** What an `auto` watch tells its user about its power-on. */
function tellWatcher (ctx: Pick<ActionContext, 'emit' | 'text'>, watch: Pick<Watch, 'provider' | 'userId'>, textKey: string, args: Record<string, unknown>): void {
  ctx.emit({
    event: 'gpu.freed', rule: 'gpu', provider: { id: watch.provider, type: '' }, instance: null,
    text: ctx.text(textKey, () => args), telegramUserIds: [watch.userId], data: { auto: true, watchUser: watch.userId }
  })
}

/** The automatic power-on of an `auto` watch, on behalf of its user (within what that user may see); its end is told by {@link autoPowerOnEnded}. */
async function powerOnFor (ctx: RuleContext, watch: Watch, figures: Record<string, unknown>): Promise<void> {
  try {
    await ctx.actions.start({
      kind: 'power-on', mode: 'gpu', providerId: watch.provider, instanceId: watch.instanceId,
      actor: { kind: 'system', reason: WATCH_REASON, onBehalfOf: watch.userId }, viewer: { telegramUserId: watch.userId }
    })
    tellWatcher(ctx, watch, 'alert.gpuAutoStarting', figures)
  } catch (err) {
    // Someone else took the GPU first, or the provider refused: keep watching until the window ends.
    tellWatcher(ctx, watch, 'alert.gpuAutoFailed', { ...figures, error: (err as Error).message, until: watch.until ? formatTime(watch.until, ctx.timeZone) : '' })
  }
}

/**
 * The end of an `auto` watch's power-on, on whichever host finished it (a new leader finishes the old
 * one's): succeeded ends the watch; failed keeps it, until its window ends.
 */
async function autoPowerOnEnded (record: ActionRecord, ctx: ActionContext): Promise<void> {
  const { actor } = record
  if (record.kind !== 'power-on' || actor.kind !== 'system' || actor.reason !== WATCH_REASON || actor.onBehalfOf === undefined) return
  const watch = (await ctx.watches.all(actor.onBehalfOf)).find(w => w.auto && w.provider === record.provider && w.instanceId === record.instanceId)
  const instance = ctx.aggregator.find(record.provider, record.instanceId)
  const gpu = instance?.gpu
  const figures = { name: instance ? instanceLabel(instance) : record.instanceName, idle: gpu?.hostIdle ?? '?', total: gpu?.hostTotal ?? '?', requested: gpu?.requested ?? 1 }
  const to = { provider: record.provider, userId: actor.onBehalfOf }
  if (record.status === 'succeeded') {
    if (watch) await ctx.watches.removeById(watch.id)
    tellWatcher(ctx, to, 'alert.gpuAutoDone', figures)
  } else {
    tellWatcher(ctx, to, 'alert.gpuAutoFailed', { ...figures, error: record.error?.message ?? '', until: watch?.until ? formatTime(watch.until, ctx.timeZone) : '' })
  }
}

/** `gpu.freed`: the watches users set with `/watch` (their state is the watch list itself). */
export const gpuRule = defineRule({
  name: 'gpu',
  events: ['gpu.freed'],
  state: [],
  evaluateEntry: gpuWatches,
  actionFinished: autoPowerOnEnded
})

import { parseStopAfter } from '../../actions/timers.js'
import { canAct, oneInstance } from '../context.js'
import { timerArgs } from './power.js'
import type { BotCommandSpec } from './registry.js'

/**
 * `/timer` lists the stop timers the user may see; `/timer <instance> <duration>` sets one on a running
 * instance (it is powered off after that long); `/timer <instance> off` cancels one. Setting and
 * cancelling need the right to act on the instance. A power-on sets one with `/on <instance> for 3h`.
 */
export const timerCommands: readonly BotCommandSpec[] = [{
  name: 'timer',
  who: 'reader',
  async handler (ctx) {
    const { services } = ctx
    const viewer = { telegramUserId: ctx.from.id }
    if (ctx.args.length === 0) {
      const timers = services.timers.list(viewer)
      if (timers.length === 0) return await ctx.reply(ctx.t('timer.none'))
      const lines = timers.map(t => ctx.t('timer.item', { ...timerArgs(ctx, t.instanceName, t.stopAt), provider: t.provider }))
      return await ctx.reply([ctx.t('timer.list'), ...lines].join('\n'))
    }
    if (ctx.args.length < 2) return await ctx.reply(ctx.t('timer.usage'))
    const last = ctx.args.at(-1)!
    const query = ctx.args.slice(0, -1).join(' ')
    const off = last.toLowerCase() === 'off'
    let ms = 0
    if (!off) {
      try {
        ms = parseStopAfter(last)
      } catch {
        return await ctx.reply(`${ctx.t('timer.badDuration', { text: last })}\n${ctx.t('timer.usage')}`)
      }
    }
    const instance = await oneInstance(ctx, query)
    if (!instance) return
    if (!canAct(services, ctx.from.id, instance.provider)) return await ctx.reply(ctx.t('power.notOperator', { userId: ctx.from.id }))
    const actor = { kind: 'telegram' as const, userId: ctx.from.id, name: ctx.from.username ?? ctx.from.first_name }
    const target = { provider: instance.provider, instanceId: instance.id, viewer }
    try {
      if (off) {
        const timer = await services.timers.cancel(target, actor)
        return await ctx.reply(ctx.t('timer.cancelled', { name: timer.instanceName }))
      }
      const timer = await services.timers.set(target, ms, actor)
      await ctx.reply(ctx.t('timer.set', timerArgs(ctx, timer.instanceName, timer.stopAt)))
    } catch (err) {
      await ctx.reply(ctx.t('timer.failed', { error: (err as Error).message }))
    }
  }
}]

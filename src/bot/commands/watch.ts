import parseDuration from 'parse-duration'
import { DEFAULT_AUTO_WINDOW_MS, MAX_WATCH_WINDOW_MS } from '../../alerts/watches.js'
import { hasIdleGpus } from '../../core/instance.js'
import { matchInstances } from '../../core/match.js'
import { keyboard } from '../../notify/buttons.js'
import { canAct, viewFor, type BotContext } from '../context.js'
import { formatDuration, formatTime, instanceLabel } from '../../present/format.js'
import type { BotCommandSpec } from './registry.js'

/**
 * `/watch <instance> [auto [6h]]`, `/watches`, `/unwatch <instance>`: be told — or, with `auto` and a
 * confirmation, have the instance powered on — when its host's idle GPUs rise to what it requests.
 */
export const watchCommands: readonly BotCommandSpec[] = [
  {
    name: 'watch',
    who: 'reader',
    async handler (ctx) {
      const [query, auto, window] = ctx.args
      if (!query || (auto !== undefined && auto !== 'auto') || ctx.args.length > 3) return void await ctx.reply(ctx.t('watch.usage'))
      let windowMs: number | null = null
      if (auto === 'auto') {
        windowMs = window === undefined ? DEFAULT_AUTO_WINDOW_MS : parseDuration(window)
        if (windowMs === null || windowMs < 60_000 || windowMs > MAX_WATCH_WINDOW_MS) return void await ctx.reply(ctx.t('watch.usage'))
      }
      const instances = viewFor(ctx).instances
      const found = matchInstances(instances, query)
      if (found.length === 0) return void await ctx.reply(ctx.t('power.noMatch', { query }))
      if (found.length > 1) {
        const buttons = await Promise.all(found.slice(0, 20).map(i => ctx.services.buttons.button(`${instanceLabel(i)} (${i.provider})`, { do: 'watch', provider: i.provider, instanceId: i.id })))
        return void await ctx.reply(ctx.t('watch.ambiguous', { query }), { reply_markup: keyboard(buttons) })
      }
      const instance = found[0]!
      if (auto !== 'auto') return void await setWatch(ctx, instance.provider, instance.id, { auto: false, windowMs: null })
      // An automatic power-on spends money: it needs the right to act, and a confirmation.
      if (!canAct(ctx.services, ctx.from.id, instance.provider)) return void await ctx.reply(ctx.t('power.notOperator', { userId: ctx.from.id }))
      if (instance.gpu?.hostIdle == null) return void await ctx.reply(ctx.t('watch.noGpuFacts', { name: instance.name }))
      const price = instance.pricePerHour?.toFixed(2)
      const args = { window: formatDuration(windowMs!, ctx.language), name: instanceLabel(instance), requested: instance.gpu.requested ?? 1, price }
      const yes = await ctx.services.buttons.button(ctx.t('confirm.yes'), { do: 'watch', provider: instance.provider, instanceId: instance.id, auto: true, windowMs, userId: ctx.from.id })
      const no = await ctx.services.buttons.button(ctx.t('confirm.no'), { do: 'cancel', userId: ctx.from.id })
      await ctx.reply(ctx.t(price ? 'watch.confirmAuto' : 'watch.confirmAutoNoPrice', args), { reply_markup: keyboard([[yes, no]]) })
    }
  },
  {
    name: 'watches',
    who: 'reader',
    async handler (ctx) {
      const watches = await ctx.services.watches.all(ctx.from.id)
      if (watches.length === 0) return void await ctx.reply(ctx.t('watch.none'))
      const lines = watches.map(w => ctx.t('watch.item', {
        name: w.name, provider: w.provider, mode: w.auto && w.until ? ` · ${ctx.t('watch.autoUntil', { until: formatTime(w.until, ctx.timeZone) })}` : ''
      }))
      await ctx.reply([ctx.t('watch.list'), ...lines].join('\n'))
    }
  },
  {
    name: 'unwatch',
    who: 'reader',
    async handler (ctx) {
      const query = ctx.payload.trim()
      if (!query) return void await ctx.reply(ctx.t('watch.usage'))
      // The instance as listed now, or (if it is no longer listed) the watch by the name or id it was set with.
      const listed = new Set(matchInstances(viewFor(ctx).instances, query).map(i => `${i.provider}/${i.id}`))
      const mine = await ctx.services.watches.all(ctx.from.id)
      const watch = mine.find(w => listed.has(`${w.provider}/${w.instanceId}`)) ?? mine.find(w => w.name === query || w.instanceId === query)
      if (!watch) return void await ctx.reply(ctx.t('watch.notWatching', { name: query }))
      await ctx.services.watches.removeById(watch.id)
      await ctx.services.audit.append({ actor: { kind: 'telegram', userId: ctx.from.id }, action: 'unwatch', target: { provider: watch.provider, instanceId: watch.instanceId }, result: 'succeeded' })
      await ctx.reply(ctx.t('watch.removed', { name: query }))
    }
  }
]

/** Store a watch for the sender and say so (with a [Power on] button if the GPUs are free right now). */
export async function setWatch (ctx: BotContext, providerId: string, instanceId: string, options: { auto: boolean; windowMs: number | null }): Promise<void> {
  const { services } = ctx
  const userId = ctx.from!.id
  const instance = viewFor(ctx).instances.find(i => i.provider === providerId && i.id === instanceId)
  if (!instance) return void await ctx.reply(ctx.t('power.expired'))
  if (instance.gpu?.hostIdle == null) return void await ctx.reply(ctx.t('watch.noGpuFacts', { name: instance.name }))
  const free = hasIdleGpus(instance)
  const until = options.auto && options.windowMs ? new Date(services.now().getTime() + options.windowMs).toISOString() : null
  // An automatic watch starts "not free", so GPUs that are free already power it on at the next look.
  await services.watches.add({ userId, provider: providerId, instanceId, name: instance.name, auto: options.auto, until, free: options.auto ? false : free })
  await services.audit.append({
    actor: { kind: 'telegram', userId, name: ctx.from?.username }, action: 'watch', target: { provider: providerId, instanceId, name: instance.name },
    result: 'succeeded', detail: options.auto ? `auto until ${until}` : undefined
  })
  const args = { name: instanceLabel(instance), idle: instance.gpu.hostIdle, total: instance.gpu.hostTotal ?? '?', requested: instance.gpu.requested ?? 1 }
  const text = options.auto ? ctx.t('watch.setAuto', { ...args, until: formatTime(until!, ctx.timeZone) }) : ctx.t('watch.set', args)
  if (free && !options.auto) {
    const power = await services.buttons.button(ctx.t('watch.powerOn'), { do: 'pick', verb: 'on', provider: providerId, instanceId })
    return void await ctx.reply(`${text}\n${ctx.t('watch.freeNow')}`, { reply_markup: keyboard([power]) })
  }
  await ctx.reply(text)
}

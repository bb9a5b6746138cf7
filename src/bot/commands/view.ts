import { chunk, gpuvalidLines, statusLine } from '../../present/format.js'
import type { BotCommandSpec } from './registry.js'

/**
 * `/gpuvalid` (seed 000) and `/status`, answered from the aggregated snapshot (no provider call), as
 * the sender may see it: configured entries plus their own `tg-<id>` account.
 */
export const viewCommands: readonly BotCommandSpec[] = [
  {
    name: 'gpuvalid',
    helpKey: 'commands.gpuvalid',
    who: 'reader',
    async handler (ctx) {
      const { aggregator, now } = ctx.services
      const view = aggregator.view({ telegramUserId: ctx.from.id })
      for (const text of chunk(gpuvalidLines(view, now(), ctx.language, ctx.t))) await ctx.reply(text)
    }
  },
  {
    name: 'status',
    helpKey: 'commands.status',
    who: 'reader',
    async handler (ctx) {
      const { aggregator, now } = ctx.services
      const view = aggregator.view({ telegramUserId: ctx.from.id })
      const lines = view.providers.length === 0
        ? [ctx.t('status.empty')]
        : view.providers.map(p => statusLine(p, now(), ctx.language, ctx.t))
      for (const text of chunk(lines)) await ctx.reply(text)
    }
  }
]

import { chunk, gpuvalidLines, statusLine } from '../../present/format.js'
import { viewFor } from '../context.js'
import type { BotCommandSpec } from './registry.js'

/**
 * `/gpuvalid` (seed 000) and `/status`, answered from the aggregated snapshot (no provider call), as
 * the sender may see it: configured entries plus their own `tg-<id>` account.
 */
export const viewCommands: readonly BotCommandSpec[] = [
  {
    name: 'gpuvalid',
    who: 'reader',
    async handler (ctx) {
      // Lines are formatted lazily: the first message goes out as soon as it is full, the rest follow.
      for (const text of chunk(gpuvalidLines(viewFor(ctx), ctx.services.now(), ctx.language, ctx.t))) await ctx.reply(text)
    }
  },
  {
    name: 'status',
    who: 'reader',
    async handler (ctx) {
      const { providers } = viewFor(ctx)
      const lines = providers.length === 0
        ? [ctx.t('status.empty')]
        : providers.map(p => statusLine(p, ctx.services.now(), ctx.language, ctx.t))
      for (const text of chunk(lines)) await ctx.reply(text)
    }
  }
]

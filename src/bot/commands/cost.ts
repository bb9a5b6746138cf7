import { formatYuan } from '../../present/format.js'
import { canSee } from '../../core/visibility.js'
import type { BotCommandSpec } from './registry.js'

/**
 * `/cost [today|week|month]`: what the instances the sender may see cost, per provider entry and in
 * total, from the host's ledger (time running between polls × price: an estimate at poll resolution).
 */
export const costCommands: readonly BotCommandSpec[] = [
  {
    name: 'cost',
    who: 'reader',
    async handler (ctx) {
      const { ledger } = ctx.services
      const period = (ctx.args[0] ?? 'today').toLowerCase()
      const from = period === 'today' ? ledger.today() : period === 'week' ? ledger.daysAgo(6) : period === 'month' ? ledger.monthStart() : null
      if (from === null) return await ctx.reply(ctx.t('cost.usage'))
      const to = ledger.today()
      const rows = await ledger.report({ from, to }, 'instance', id => canSee({ telegramUserId: ctx.from.id }, id))
      const total = rows.reduce((sum, r) => sum + r.yuan, 0)
      const lines = [ctx.t('cost.head', { period: ctx.t(`cost.periods.${period}`), from, to, total: formatYuan(total) })]
      for (const r of rows.slice(0, 20)) lines.push(ctx.t('cost.line', { provider: r.provider, name: r.name ?? r.instanceId, yuan: formatYuan(r.yuan) }))
      if (rows.length === 0) lines.push(ctx.t('cost.none'))
      lines.push(ctx.t('cost.note'))
      return await ctx.reply(lines.join('\n'))
    }
  }
]

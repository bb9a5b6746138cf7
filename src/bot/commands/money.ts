import { balanceOf, hoursLeft, runningCostPerHour } from '../../money/estimate.js'
import { formatDuration, formatYuan } from '../../present/format.js'
import { viewFor } from '../context.js'
import type { BotCommandSpec } from './registry.js'

const HOUR_MS = 3600_000

/**
 * `/balance`: each entry the sender may see that reports a balance (AutoDL wallet), with what its
 * running instances cost per hour and about how long the balance lasts at that rate (an estimate).
 */
export const moneyCommands: readonly BotCommandSpec[] = [
  {
    name: 'balance',
    who: 'reader',
    async handler (ctx) {
      const view = viewFor(ctx)
      const lines: string[] = []
      for (const status of view.providers) {
        const balance = balanceOf(status)
        if (balance === null) continue
        const cost = runningCostPerHour(view.instances.filter(i => i.provider === status.id))
        const hours = hoursLeft(balance, cost.yuanPerHour)
        const line = hours === null
          ? ctx.t('balance.line', { provider: status.id, balance: formatYuan(balance) })
          : ctx.t('balance.burning', { provider: status.id, balance: formatYuan(balance), running: cost.running, cost: formatYuan(cost.yuanPerHour), left: formatDuration(hours * HOUR_MS, ctx.language) })
        lines.push(cost.unpriced > 0 ? `${line}${ctx.t('balance.unpriced', { count: cost.unpriced })}` : line)
      }
      return await ctx.reply(lines.length > 0 ? lines.join('\n') : ctx.t('balance.none'))
    }
  }
]

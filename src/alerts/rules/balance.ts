import { balanceOf, hoursLeft, runningCostPerHour } from '../../money/estimate.js'
import { formatDuration, formatYuan } from '../../present/format.js'
import { HOUR_MS, type EntryRuleContext } from '../context.js'
import { defineRule } from '../rule.js'

const FIRED = 'balance:low'

/**
 * `balance.low`: an entry's balance (AutoDL wallet) drops below `alerts.lowBalanceYuan`, once; it
 * fires again only after the balance was back at or above the threshold (a top-up). With the running
 * instances' cost per hour, it says about how long the balance lasts (an estimate).
 */
function lowBalance (ctx: EntryRuleContext, settings: { lowBalanceYuan: number | null }): void {
  const threshold = settings.lowBalanceYuan
  const balance = balanceOf(ctx.aggregator.status(ctx.entry.id))
  if (threshold === null || balance === null) return
  if (balance >= threshold) {
    delete ctx.local.fired[FIRED]
    return
  }
  if (ctx.local.fired[FIRED] !== undefined) return
  ctx.local.fired[FIRED] = ctx.now.toISOString()
  if (ctx.muted(ctx.entry.id)) return
  const cost = runningCostPerHour(ctx.instances)
  const hours = hoursLeft(balance, cost.yuanPerHour)
  ctx.emit({
    event: 'balance.low', rule: 'balance', provider: { id: ctx.entry.id, type: ctx.entry.type }, instance: null,
    text: ctx.text(hours === null ? 'alert.balanceLow' : 'alert.balanceLowBurning', lang => ({
      provider: ctx.entry.id, balance: formatYuan(balance), threshold: formatYuan(threshold),
      cost: formatYuan(cost.yuanPerHour), left: hours === null ? '' : formatDuration(hours * HOUR_MS, lang)
    })),
    data: { balanceYuan: balance, thresholdYuan: threshold, costYuanPerHour: cost.yuanPerHour, hoursLeft: hours === null ? null : Math.round(hours * 10) / 10 }
  })
}

/** `balance.low` below `alerts.lowBalanceYuan` (null: off), per provider entry that reports a balance. */
export const balanceRule = defineRule<{ lowBalanceYuan: number | null }>({
  name: 'balance',
  events: ['balance.low'],
  config: { lowBalanceYuan: { type: ['number', 'null'], minimum: 0, default: null } },
  state: [],
  entryState: ['fired'],
  evaluateEntry: lowBalance
})

import { DateTime } from 'luxon'
import { canSee, PUBLIC_VIEWER } from '../../core/visibility.js'
import { balanceOf } from '../../money/estimate.js'
import { formatYuan } from '../../present/format.js'
import type { RuleContext } from '../context.js'
import { defineRule } from '../rule.js'

/**
 * `cost.daily`: opt-in (`alerts.dailySummaryHour`, 0–23 in `telegram.timeZone`), once a day at the
 * first evaluation from that hour on: yesterday's observed cost per provider entry and in total (the
 * ledger's estimate), and each entry's balance where it reports one. Accounts added through the bot are
 * their owners' business and left out, as from every shared channel.
 */
async function dailySummary (ctx: RuleContext, settings: { dailySummaryHour: number | null }): Promise<void> {
  const hour = settings.dailySummaryHour
  const ledger = ctx.ledger
  if (hour === null || !ledger) return
  const local = DateTime.fromJSDate(ctx.now, { zone: ctx.timeZone ?? 'local' })
  const today = local.toFormat('yyyy-MM-dd')
  if (local.hour < hour || ctx.state.daily['sent'] === today) return
  ctx.state.daily['sent'] = today
  const yesterday = local.minus({ days: 1 }).toFormat('yyyy-MM-dd')
  const visible = (id: string): boolean => canSee(PUBLIC_VIEWER, id)
  const rows = await ledger.report({ from: yesterday, to: yesterday }, 'provider', visible)
  const total = rows.reduce((sum, r) => sum + r.yuan, 0)
  const balances = ctx.snapshot.providers.flatMap(p => {
    const balance = balanceOf(p)
    return balance === null || !visible(p.id) ? [] : [{ provider: p.id, balanceYuan: balance }]
  })
  ctx.emit({
    event: 'cost.daily', rule: 'daily', provider: { id: '*', type: '*' }, instance: null,
    text: ctx.text('alert.dailyCost', () => ({
      day: yesterday,
      total: formatYuan(total),
      lines: [...rows.map(r => `• ${r.provider}: ${formatYuan(r.yuan)}`), ...balances.map(b => `💰 ${b.provider}: ${formatYuan(b.balanceYuan)}`)].join('\n')
    })),
    data: { day: yesterday, totalYuan: Math.round(total * 100) / 100, providers: rows.map(r => ({ provider: r.provider, yuan: r.yuan })), balances }
  })
}

/** `cost.daily` at `alerts.dailySummaryHour` (null: off). */
export const dailyCostRule = defineRule<{ dailySummaryHour: number | null }>({
  name: 'daily',
  events: ['cost.daily'],
  config: { dailySummaryHour: { type: ['integer', 'null'], minimum: 0, maximum: 23, default: null } },
  state: ['daily'],
  evaluate: dailySummary
})

import { formatYuan } from '../../present/format.js'
import type { RuleContext } from '../context.js'
import { defineRule } from '../rule.js'

/**
 * `budget.reached`: this month's observed cost reaches a budget (`budget.monthlyYuan` over every
 * entry, or an entry's own `providers[].budget`), once per month per budget. From then on automatic
 * power-ons are refused (see `ActionService`); manual ones show the budget in their confirmation.
 */
async function budgetReached (ctx: RuleContext): Promise<void> {
  const budget = ctx.budget
  if (!budget?.configured) return
  const states = await budget.all()
  const announced = ctx.state.budgets
  const month = states[0]?.month
  for (const key of Object.keys(announced)) if (month !== undefined && !key.endsWith(`@${month}`)) delete announced[key]
  for (const state of states) {
    if (state.spentYuan < state.limitYuan) continue
    const key = `${state.scope}@${state.month}`
    if (announced[key] !== undefined) continue
    announced[key] = ctx.now.toISOString()
    const global = state.scope === 'global'
    if (!global && ctx.muted(state.scope)) continue
    ctx.emit({
      event: 'budget.reached', rule: 'budget', provider: global ? { id: '*', type: '*' } : { id: state.scope, type: ctx.aggregator.status(state.scope)?.type ?? '' }, instance: null,
      text: ctx.text(global ? 'alert.budgetReached' : 'alert.budgetReachedEntry', () => ({
        provider: state.scope, month: state.month, spent: formatYuan(state.spentYuan), limit: formatYuan(state.limitYuan)
      })),
      data: { scope: state.scope, month: state.month, spentYuan: state.spentYuan, limitYuan: state.limitYuan }
    })
  }
}

/** `budget.reached`, once per month per budget. */
export const budgetRule = defineRule({
  name: 'budget',
  events: ['budget.reached'],
  state: ['budgets'],
  evaluate: budgetReached
})

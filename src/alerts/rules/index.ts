import type { AlertRuleDefinition } from '../rule.js'
import { actionRule } from './action.js'
import { balanceRule } from './balance.js'
import { budgetRule } from './budget.js'
import { dailyCostRule } from './daily-cost.js'
import { gpuRule } from './gpu.js'
import { offlineRule, providerRule } from './health.js'
import { keepAliveRule } from './keep-alive.js'
import { expiryRule, releaseRule } from './ladders.js'
import { timerRule } from './timer.js'
import { marketRule } from './market.js'

/**
 * Every alert rule, in evaluation order: provider health first (a failing entry's instances raise no
 * alerts), then presence, watches, the release ladder, keep-alive, the expiry ladder, the balance, the budgets, the daily cost summary; `timer` speaks for
 * the stop timers, `market` for the GPU market watch, and `action` only announces finished actions. The configuration's `alerts` section and webhook events come from here.
 */
export const ALERT_RULES: readonly AlertRuleDefinition[] = [providerRule, offlineRule, gpuRule, releaseRule, keepAliveRule, expiryRule, balanceRule, budgetRule, dailyCostRule, timerRule, marketRule, actionRule]

/** Every event an alert can carry (webhook `event`), from the rules. */
export const ALERT_EVENTS: readonly string[] = ALERT_RULES.flatMap(r => r.events)

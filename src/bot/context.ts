import type { Context } from 'telegraf'
import type { StopTimers } from '../actions/timers.js'
import type { MarketWatch } from '../money/market.js'
import type { AvailabilityHistory } from '../money/history.js'
import type { ActionService } from '../actions/service.js'
import type { MuteList } from '../alerts/mutes.js'
import type { WatchList } from '../alerts/watches.js'
import type { AuditLog } from '../audit/log.js'
import type { Aggregator } from '../core/aggregator.js'
import type { UserAccounts } from '../core/accounts.js'
import type { Logger } from '../core/logger.js'
import type { Snapshot } from '../core/snapshot.js'
import type { Instance } from '../core/instance.js'
import { matchInstances } from '../core/match.js'
import { instanceLabel } from '../present/format.js'
import { canSee, entryOwner } from '../core/visibility.js'
import type { ButtonStore } from '../notify/buttons.js'
import type { ChatLanguages } from '../notify/languages.js'
import type { CostLedger } from '../money/ledger.js'
import type { Budget } from '../money/budget.js'
import type { Language, Translate } from '../present/i18n.js'

/** What command handlers reach through `ctx.services`. */
export interface BotServices {
  aggregator: Aggregator
  /** Accounts users add with /user and /password; null when turned off. */
  accounts: UserAccounts | null
  actions: ActionService
  /** Stop timers (`/on … for 3h`, `/timer`, the warning's buttons). */
  timers: StopTimers
  /** The GPU market (`/market`). */
  market: MarketWatch
  /** Idle GPUs of each instance's host over time (`/history`). */
  history: AvailabilityHistory
  audit: AuditLog
  mutes: MuteList
  watches: WatchList
  buttons: ButtonStore
  /** The running cost the host observed (`/cost`). */
  ledger: CostLedger
  /** The monthly budgets, shown in power-on confirmations. */
  budget: Budget
  /** Each user's language (`/lang`, their Telegram language, the host's). */
  languages: ChatLanguages
  /** A translator per language. */
  translators: Record<Language, Translate>
  /** Telegram users who may act on every instance they see. */
  operators: ReadonlySet<number>
  log: Logger
  now: () => Date
}

/**
 * May this user act on the instances of this provider entry? Only on what they may see ({@link canSee}):
 * operators on configured entries; the owner of an account added through the bot on that account.
 * The same rule decides whose mutes and audit entries a user is shown.
 */
export function canAct (services: Pick<BotServices, 'operators'>, userId: number, providerId: string): boolean {
  if (!canSee({ telegramUserId: userId }, providerId)) return false
  return services.operators.has(userId) || entryOwner(providerId) === userId
}

/**
 * The one instance the sender may see that `query` names (name or id prefix); otherwise replies why —
 * no match, or the candidates with their ids to name one by — and resolves with undefined.
 */
export async function oneInstance (ctx: Pick<BotContext, 'services' | 'from' | 'reply' | 't'>, query: string): Promise<Instance | undefined> {
  const found = matchInstances(viewFor(ctx).instances, query)
  if (found.length === 1) return found[0]
  if (found.length === 0) await ctx.reply(ctx.t('power.noMatch', { query }))
  else await ctx.reply([ctx.t('watch.ambiguous', { query }), ...found.slice(0, 20).map(i => `• ${instanceLabel(i)} (${i.provider}, ${i.id})`)].join('\n'))
  return undefined
}

/** What the sender of this update may see: configured entries plus their own bot-added account. */
export function viewFor (ctx: Pick<BotContext, 'services' | 'from'>): Snapshot {
  return ctx.services.aggregator.view({ telegramUserId: ctx.from!.id })
}

/** Telegraf context with the sender's language and its translator, and the host services. */
export interface BotContext extends Context {
  t: Translate
  language: Language
  /** IANA zone for absolute times; null: local. */
  timeZone: string | null
  services: BotServices
}

/**
 * Answer a user's mistake (a 4xx host error: bad argument, no such instance, conflict) with its message;
 * anything else (a store that cannot save, a bug) goes on to `bot.catch`, which answers in the user's
 * language and keeps internals such as file paths out of the chat.
 */
export async function replyUserError (ctx: Pick<BotContext, 'reply'>, err: unknown): Promise<void> {
  const status = (err as { statusCode?: unknown }).statusCode
  if (typeof status !== 'number' || status >= 500) throw err
  await ctx.reply((err as Error).message)
}

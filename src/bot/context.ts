import type { Context } from 'telegraf'
import type { Aggregator } from '../core/aggregator.js'
import type { UserAccounts } from '../core/accounts.js'
import type { Logger } from '../core/logger.js'
import type { Language, Translate } from './i18n.js'

/** What command handlers reach through `ctx.services`. */
export interface BotServices {
  aggregator: Aggregator
  /** Accounts users add with /user and /password; null when turned off. */
  accounts: UserAccounts | null
  log: Logger
  now: () => Date
}

/** Telegraf context with the translator, the language and the host services. */
export interface BotContext extends Context {
  t: Translate
  language: Language
  services: BotServices
}

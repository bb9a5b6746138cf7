import { Telegraf } from 'telegraf'
import type { Agent } from 'node:http'
import type { TelegramConfig } from '../config/schema.js'
import { createProxyAgent } from '../core/http.js'
import type { SecretRegistry } from '../core/secrets.js'
import { allowOnly } from './access.js'
import { accountCommands } from './commands/account.js'
import { langCommands } from './commands/lang.js'
import { moneyCommands } from './commands/money.js'
import { costCommands } from './commands/cost.js'
import { muteCommands } from './commands/mute.js'
import { fitMessages } from './message-limits.js'
import { powerButtons, powerCommands } from './commands/power.js'
import { commandMenu, helpText, registerCommands, type BotCommandSpec } from './commands/registry.js'
import { viewCommands } from './commands/view.js'
import { watchCommands } from './commands/watch.js'
import { timerCommands } from './commands/timer.js'
import { marketCommands } from './commands/market.js'
import { historyCommands } from './commands/history.js'
import { ProgressMessages } from './progress.js'
import type { BotContext, BotServices } from './context.js'
import type { Language, Translate } from '../present/i18n.js'

export interface BotOptions {
  telegram: TelegramConfig & { token: string }
  services: BotServices
  secrets: SecretRegistry
}

/** A running (or runnable) bot. */
export interface BotService {
  /** The Telegraf instance; tests feed it updates with `handleUpdate`. */
  readonly bot: Telegraf<BotContext>
  /** Register the command menu and start long polling; retries with back-off until `stop()`. Never rejects. */
  start (): void
  stop (): Promise<void>
}

/**
 * Every command, in menu order: the one list `/help`, the menu (`setMyCommands`) and the handlers come
 * from. `/help` is its own entry; `/start` answers the same.
 */
export const BOT_COMMANDS: readonly BotCommandSpec[] = [
  ...viewCommands, ...moneyCommands, ...costCommands, ...powerCommands, ...timerCommands, ...watchCommands, ...historyCommands, ...marketCommands, ...muteCommands, ...accountCommands, ...langCommands,
  { name: 'help', who: 'reader', handler: async (ctx) => await ctx.reply(helpText(BOT_COMMANDS, ctx.t, ctx.services.accounts !== null)) }
]

/** First and largest wait between attempts to reach Telegram, milliseconds. */
const RETRY_FIRST_MS = 5_000
const RETRY_MAX_MS = 300_000

/**
 * The Telegraf bot: allow-list, each user answered in their language (`/lang`, else their Telegram
 * `language_code`, else `telegram.language`), the commands of {@link BOT_COMMANDS} and the buttons.
 * Every error is caught (`bot.catch`), logged without secrets, and answered with a short apology; an
 * unknown command or plain text gets the help.
 */
export async function createBot (options: BotOptions): Promise<BotService> {
  const { telegram, services, secrets } = options
  secrets.add(telegram.token)
  const agent: Agent | undefined = telegram.proxy ? createProxyAgent(telegram.proxy) as unknown as Agent : undefined
  const bot = new Telegraf<BotContext>(telegram.token, { telegram: { apiRoot: telegram.apiRoot, ...(agent ? { agent } : {}) } })
  fitMessages(bot.telegram)
  const { translators, languages } = services
  const t = translators[telegram.language]
  const accountsEnabled = services.accounts !== null
  const log = services.log

  const progress = new ProgressMessages({ telegram: bot.telegram, actions: services.actions, translators, timeZone: telegram.timeZone, log })
  bot.use(async (ctx, next) => {
    ctx.timeZone = telegram.timeZone
    ctx.services = services
    ctx.language = telegram.language
    const from = ctx.from
    if (from !== undefined) {
      try {
        await languages.seen(from.id, from.language_code)
        ctx.language = await languages.get(from.id)
      } catch { /* the store logs its own failures; the host's language will do */ }
    }
    ctx.t = translators[ctx.language]
    await next()
  })
  bot.use(allowOnly([...telegram.allowedUserIds, ...telegram.operatorUserIds]))
  const help = (ctx: BotContext): string => helpText(BOT_COMMANDS, ctx.t, accountsEnabled)
  bot.start(ctx => ctx.reply(help(ctx)))
  registerCommands(bot, BOT_COMMANDS)
  bot.use(powerButtons(progress))
  bot.on('message', ctx => ctx.reply(help(ctx)))
  bot.catch(async (err, ctx) => {
    // A store failure is logged once per burst by the store itself.
    const stored = (err as { code?: unknown })?.code === 'CW_ERR_STORE'
    if (!stored) log.error({ err: { message: secrets.scrub((err as Error)?.message ?? String(err)) }, updateType: ctx.updateType }, 'bot handler failed')
    const text = (ctx.t ?? t)(stored ? 'error.store' : 'error.generic')
    if (ctx.callbackQuery) await ctx.answerCbQuery(text).catch(() => {})
    else await ctx.reply(text).catch(() => {})
  })

  let stopped = false
  let retryTimer: NodeJS.Timeout | null = null
  // launch() calls getMe, then deleteWebhook, then starts polling; Telegraf's stop() refuses a bot that
  // is not polling yet. A stop() in that window must still win: launch() is ended right after
  // deleteWebhook, before polling starts (and a failed call ends it anyway).
  const deleteWebhook = bot.telegram.deleteWebhook.bind(bot.telegram)
  bot.telegram.deleteWebhook = async (...args: Parameters<typeof deleteWebhook>) => {
    const done = await deleteWebhook(...args)
    if (stopped) throw new Error('host stopping')
    return done
  }
  // launch() resolves only when polling ends (stop) and rejects when it cannot start or polling dies
  // (network at start-up, 409 conflict…). Either way the bot comes back, with back-off, unless the
  // token itself is rejected.
  const launch = (attempt: number): void => {
    if (stopped) return
    void registerMenus(bot, accountsEnabled, translators, telegram.language)
      .catch((err: Error) => log.warn({ err: { message: secrets.scrub(err.message) } }, 'could not register the command menu (setMyCommands)'))
    let polling = false
    bot.launch({ dropPendingUpdates: false }, () => {
      polling = true
      log.info({ username: bot.botInfo?.username }, 'telegram bot polling')
    }).catch((err: Error & { response?: { error_code?: number } }) => {
      if (stopped) return
      if (err.response?.error_code === 401) {
        log.error('telegram rejected the bot token (401); the bot stays off. Check telegram.token')
        return
      }
      const next = polling ? 0 : attempt + 1
      const wait = Math.min(RETRY_FIRST_MS * 2 ** Math.max(0, next - 1), RETRY_MAX_MS)
      log.warn({ err: { message: secrets.scrub(err.message) }, retryInMs: wait }, 'telegram polling stopped; retrying')
      retryTimer = setTimeout(() => launch(next), wait)
    })
  }

  return {
    bot,
    start: () => launch(0),
    stop: async () => {
      stopped = true
      progress.close()
      if (retryTimer) clearTimeout(retryTimer)
      try { bot.stop('host stopping') } catch { /* not running */ }
    }
  }
}

/**
 * The command menu in each language: the host's language for everyone, and Chinese and English for
 * users whose Telegram app is set to them (`setMyCommands` with `language_code`, Bot API 4.7).
 */
async function registerMenus (bot: Telegraf<BotContext>, accountsEnabled: boolean, translators: Record<Language, Translate>, fallback: Language): Promise<void> {
  await bot.telegram.setMyCommands(commandMenu(BOT_COMMANDS, translators[fallback], accountsEnabled))
  for (const language of ['zh', 'en'] as const) {
    await bot.telegram.setMyCommands(commandMenu(BOT_COMMANDS, translators[language], accountsEnabled), { language_code: language })
  }
}

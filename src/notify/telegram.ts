import type { Telegram } from 'telegraf'
import type { InlineKeyboardMarkup } from 'telegraf/types'
import type { Aggregator } from '../core/aggregator.js'
import type { Telemetry } from '../core/telemetry.js'
import type { Logger } from '../core/logger.js'
import { canSee, entryOwner } from '../core/visibility.js'
import { keyboard, type ButtonStore } from './buttons.js'
import type { Language, Translate } from '../present/i18n.js'
import type { Alert, Channel } from './alert.js'
import { ChannelDelivery, RetryableError } from './delivery.js'
import { groupMessage } from './message.js'
import type { Outbox, OutboxJob } from './outbox.js'

export interface TelegramChannelOptions {
  telegram: Telegram
  buttons: ButtonStore
  /** The language of a chat: its user's `/lang`, else their Telegram language, else `telegram.language`. */
  languageOf: (chatId: number) => Promise<Language>
  translators: Record<Language, Translate>
  aggregator: Aggregator
  /** Users who may read (allowed and operators): the default audience of shared provider entries. */
  readers: readonly number[]
  /** Per-rule chats (`alerts.chatIds`). */
  chatIds: Readonly<Record<string, number[]>>
  log: Logger
  /** Where each message's outcome is counted (channel `telegram`). */
  telemetry?: Telemetry | undefined
  outbox?: Outbox | null | undefined
  /** Attempts per message (default 4) and the first back-off, milliseconds (default 1000). */
  maxAttempts?: number | undefined
  retryBaseMs?: number | undefined
}

/** One Telegram message of the outbox: where, what, and its buttons (tokens in the button store). */
interface TelegramPayload {
  chatId: number
  text: string
  markup?: InlineKeyboardMarkup | undefined
}

/** Rows of buttons a grouped message carries at most (each alert's buttons on a row of their own). */
const MAX_BUTTON_ROWS = 20
/** Messages a second the bot sends: Telegram allows about 30 (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this). */
const PER_SECOND = 25

/**
 * Alerts as Telegram messages, each chat in its own language, with their buttons. Recipients: the
 * ones the alert names (a watch's user); for an account added through the bot, its owner only (never
 * a shared chat); else the rule's `alerts.chatIds`; else every user who may read. A group of alerts is
 * one message per chat (its lines, and each alert's buttons on a row named for its instance). Messages
 * go out with the one delivery policy of every channel: 429 (`retry_after` honoured), 5xx and network
 * errors are retried; a blocked chat is not.
 */
export class TelegramChannel implements Channel {
  readonly name = 'telegram'
  readonly #options: TelegramChannelOptions
  readonly #delivery: ChannelDelivery<TelegramPayload>
  readonly #preparing = new Set<Promise<void>>()

  constructor (options: TelegramChannelOptions) {
    this.#options = options
    this.#delivery = new ChannelDelivery<TelegramPayload>({
      channel: 'telegram',
      policy: { maxAttempts: options.maxAttempts ?? 4, retryBaseMs: options.retryBaseMs ?? 1000, perInterval: PER_SECOND, rateIntervalMs: 1000 },
      outbox: options.outbox ?? null,
      send: async (payload, job) => { await this.#attempt(payload, job) },
      log: options.log,
      telemetry: options.telemetry
    })
  }

  /** Telegram takes every event its recipients may see; routes may narrow it. */
  subscribes (): boolean {
    return true
  }

  /** Who gets `alert`: only users who may see its provider entry ({@link canSee}). */
  recipients (alert: Alert): number[] {
    const owner = entryOwner(alert.provider.id)
    const candidates = alert.telegramUserIds ?? (owner !== undefined ? [owner] : this.#options.chatIds[alert.rule] ?? [...this.#options.readers])
    return candidates.filter(userId => canSee({ telegramUserId: userId }, alert.provider.id))
  }

  send (alerts: readonly Alert[]): void {
    const prepared = this.#prepare(alerts).catch((err: Error) => {
      this.#options.log.error({ err: { message: err.message } }, 'could not prepare an alert for telegram')
    }).finally(() => this.#preparing.delete(prepared))
    this.#preparing.add(prepared)
  }

  resume (jobs: readonly OutboxJob[]): void {
    this.#delivery.resume(jobs as ReadonlyArray<OutboxJob<TelegramPayload>>)
  }

  async flush (): Promise<void> {
    while (this.#preparing.size > 0) await Promise.allSettled([...this.#preparing])
    await this.#delivery.flush()
  }

  async close (): Promise<void> {
    while (this.#preparing.size > 0) await Promise.allSettled([...this.#preparing])
    await this.#delivery.close()
  }

  /** One message per chat, in the chat's language. */
  async #prepare (alerts: readonly Alert[]): Promise<void> {
    const chats = new Map<number, Alert[]>()
    for (const alert of alerts) {
      for (const chatId of this.recipients(alert)) {
        let mine = chats.get(chatId)
        if (!mine) chats.set(chatId, mine = [])
        mine.push(alert)
      }
    }
    for (const [chatId, mine] of chats) {
      const language = await this.#options.languageOf(chatId)
      const text = mine.length === 1 ? mine[0]!.text[language] : this.#groupText(mine, language)
      const markup = await this.#keyboard(mine, language)
      this.#delivery.enqueue(mine[0]!.event, { chatId, text, ...(markup ? { markup } : {}) })
    }
  }

  #groupText (alerts: readonly Alert[], language: Language): string {
    const message = groupMessage(alerts, this.#options.translators[language], language)
    return `${message.title}\n${message.text}`
  }

  async #keyboard (alerts: readonly Alert[], language: Language): Promise<InlineKeyboardMarkup | undefined> {
    const { buttons } = this.#options
    const rows = []
    for (const alert of alerts) {
      if (!alert.buttons?.length || rows.length >= MAX_BUTTON_ROWS) continue
      const named = alerts.length > 1 && alert.instance !== null
      rows.push(await Promise.all(alert.buttons.map(async b => await buttons.button(named ? `${b.label[language]} · ${alert.instance!.name}` : b.label[language], b.payload))))
    }
    return rows.length > 0 ? keyboard(rows) : undefined
  }

  async #attempt (payload: TelegramPayload, job: OutboxJob<TelegramPayload>): Promise<void> {
    try {
      await this.#options.telegram.sendMessage(payload.chatId, payload.text, payload.markup ? { reply_markup: payload.markup } : {})
    } catch (err) {
      const e = err as Error & { code?: unknown; response?: { error_code?: number; parameters?: { retry_after?: number } } }
      const status = e.response?.error_code
      if (status === undefined || status === 429 || status >= 500) {
        const after = e.response?.parameters?.retry_after
        throw new RetryableError(e.message, typeof after === 'number' ? after * 1000 : null)
      }
      this.#options.log.warn({ chatId: payload.chatId, event: job.event, err: { message: e.message } }, 'could not send an alert to telegram')
      throw err
    }
  }
}

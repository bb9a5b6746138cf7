import type { Telegram } from 'telegraf'
import type { Aggregator } from '../core/aggregator.js'
import type { Telemetry } from '../core/telemetry.js'
import type { Logger } from '../core/logger.js'
import { canSee, entryOwner } from '../core/visibility.js'
import { keyboard, type ButtonStore } from './buttons.js'
import type { Language } from '../present/i18n.js'
import type { Alert, Channel } from './alert.js'

export interface TelegramChannelOptions {
  telegram: Telegram
  buttons: ButtonStore
  language: Language
  aggregator: Aggregator
  /** Users who may read (allowed and operators): the default audience of shared provider entries. */
  readers: readonly number[]
  /** Per-rule chats (`alerts.chatIds`). */
  chatIds: Readonly<Record<string, number[]>>
  log: Logger
  /** Where each message's outcome is counted (channel `telegram`). */
  telemetry?: Telemetry | undefined
}

/**
 * Alerts as Telegram messages, in the configured language, with their buttons. Recipients: the ones
 * the alert names (a watch's user); for an account added through the bot, its owner only (never a
 * shared chat); else the rule's `alerts.chatIds`; else every user who may read.
 */
export class TelegramChannel implements Channel {
  readonly #options: TelegramChannelOptions
  readonly #pending = new Set<Promise<void>>()

  constructor (options: TelegramChannelOptions) {
    this.#options = options
  }

  /** Who gets `alert`: only users who may see its provider entry ({@link canSee}). */
  recipients (alert: Alert): number[] {
    const owner = entryOwner(alert.provider.id)
    const candidates = alert.telegramUserIds ?? (owner !== undefined ? [owner] : this.#options.chatIds[alert.rule] ?? [...this.#options.readers])
    return candidates.filter(userId => canSee({ telegramUserId: userId }, alert.provider.id))
  }

  send (alert: Alert): void {
    const delivery = this.#deliver(alert).finally(() => this.#pending.delete(delivery))
    this.#pending.add(delivery)
  }

  async flush (): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending])
  }

  async #deliver (alert: Alert): Promise<void> {
    const { telegram, buttons, language, log } = this.#options
    const markup = alert.buttons?.length
      ? keyboard([await Promise.all(alert.buttons.map(b => buttons.button(b.label[language], b.payload)))])
      : undefined
    for (const chatId of this.recipients(alert)) {
      const sent = await telegram.sendMessage(chatId, alert.text[language], markup ? { reply_markup: markup } : {}).then(() => true, (err: Error) => {
        log.warn({ chatId, event: alert.event, err: { message: err.message } }, 'could not send an alert to telegram')
        return false
      })
      this.#options.telemetry?.alert(alert.event, 'telegram', sent ? 'sent' : 'failed')
    }
  }
}

/** Sends every alert to every channel. */
export class Dispatcher {
  readonly #channels: Channel[]

  constructor (channels: Channel[]) {
    this.#channels = channels
  }

  send (alert: Alert): void {
    for (const channel of this.#channels) channel.send(alert)
  }

  async flush (): Promise<void> {
    await Promise.all(this.#channels.map(c => c.flush()))
  }
}

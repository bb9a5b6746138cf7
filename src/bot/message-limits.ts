import type { Telegram } from 'telegraf'
import { cutText } from '../core/errors.js'
import { chunk, MESSAGE_LIMIT } from '../present/format.js'

/** Telegram's limits (Bot API, https://core.telegram.org/bots/api#sendmessage): characters of a message text, of a callback answer. */
export const TELEGRAM_TEXT_LIMIT = 4096
export const TELEGRAM_CALLBACK_TEXT_LIMIT = 200

/**
 * Make every text `telegram` sends fit Telegram's limits, whatever produced it (a command, an alert, a
 * progress message): a `sendMessage` longer than 4,096 characters goes out as several messages split
 * at line breaks (its keyboard on the last), an edit is cut, a callback answer is cut to 200. Telegram
 * would refuse them whole otherwise.
 */
export function fitMessages (telegram: Telegram): void {
  const call = telegram.callApi.bind(telegram) as (method: string, payload: object, options?: unknown) => Promise<unknown>
  const fitted = async (method: string, payload: Record<string, unknown>, options?: unknown): Promise<unknown> => {
    const text = payload['text']
    if (typeof text === 'string') {
      if (method === 'sendMessage' && text.length > TELEGRAM_TEXT_LIMIT) {
        const parts = [...chunk(text.split('\n'), MESSAGE_LIMIT)]
        let last: unknown
        for (const [index, part] of parts.entries()) {
          const { reply_markup: markup, ...rest } = payload
          last = await call(method, index === parts.length - 1 && markup !== undefined ? { ...rest, text: part, reply_markup: markup } : { ...rest, text: part }, options)
        }
        return last
      }
      if (method === 'editMessageText' && text.length > TELEGRAM_TEXT_LIMIT) payload = { ...payload, text: cutText(text, TELEGRAM_TEXT_LIMIT) }
      if (method === 'answerCallbackQuery' && text.length > TELEGRAM_CALLBACK_TEXT_LIMIT) payload = { ...payload, text: cutText(text, TELEGRAM_CALLBACK_TEXT_LIMIT) }
    }
    return await call(method, payload, options)
  }
  telegram.callApi = fitted as unknown as Telegram['callApi']
}

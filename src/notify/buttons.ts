import { randomBytes } from 'node:crypto'
import type { Keyv } from 'keyv'
import { SingleUse } from '../core/single-use.js'
import type { InlineKeyboardButton } from 'telegraf/types'

import type { Verb } from '../core/verbs.js'

export type { Verb } from '../core/verbs.js'

/** What pressing a button means. */
export type ButtonPayload =
  /** An instance chosen among candidates (or an alert's button): go on to the confirmation. */
  | { do: 'pick'; verb: Verb; provider: string; instanceId: string; stopAfterMs?: number }
  /** The confirmation of `userId`'s request; a power-on with `stopAfterMs` sets a stop timer. */
  | { do: 'confirm'; verb: Verb; provider: string; instanceId: string; userId: number; stopAfterMs?: number }
  | { do: 'cancel'; userId: number }
  /** Watch the instance's host for a free GPU; `auto` (confirmed by `userId`) powers on by itself within `windowMs`. */
  | { do: 'watch'; provider: string; instanceId: string; auto?: boolean; windowMs?: number | null; userId?: number }
  /** Move the instance's stop timer `ms` later (the timer warning's [Extend 1h]). */
  | { do: 'extend'; provider: string; instanceId: string; ms: number }
  /** Power the instance off now instead of at its stop timer's time (the timer warning's [Stop now]). */
  | { do: 'stopnow'; provider: string; instanceId: string }

/** Callback data prefix; the rest is a token. */
const PREFIX = 'cw:'
/** Buttons work this long (alert buttons too, across restarts). */
export const BUTTON_TTL_MS = 3 * 86400_000

/**
 * Button payloads behind short tokens, kept in the store (keyv namespace `buttons`): Telegram allows 64
 * bytes of callback data, too little for provider and instance ids, and a button in an alert must still
 * work after a restart.
 */
export class ButtonStore {
  readonly #store: Keyv
  readonly #confirmed: SingleUse

  constructor (store: Keyv) {
    this.#store = store
    this.#confirmed = new SingleUse(store, BUTTON_TTL_MS)
  }

  /** An inline button that carries `payload`. */
  async button (text: string, payload: ButtonPayload): Promise<InlineKeyboardButton.CallbackButton> {
    const token = randomBytes(9).toString('base64url')
    await this.#store.set(token, payload, BUTTON_TTL_MS)
    return { text, callback_data: `${PREFIX}${token}` }
  }

  /**
   * Use a single-use button (a confirmation): true the first time, false ever after — also for a
   * crafted replay of its callback data, and for a second press while the first is being handled. The
   * mark outlives the button, so an old token cannot be replayed either.
   */
  async consume (data: string): Promise<boolean> {
    if (!isButtonData(data)) return false
    return await this.#confirmed.claim(data.slice(PREFIX.length))
  }

  /** The payload behind callback data, or undefined when unknown or expired. */
  async payload (data: string | undefined): Promise<ButtonPayload | undefined> {
    if (!isButtonData(data)) return undefined
    return await this.#store.get<ButtonPayload>(data.slice(PREFIX.length))
  }
}

/** True for callback data of a {@link ButtonStore} button (a token behind the `cw:` prefix). */
export function isButtonData (data: string | undefined): data is string {
  return data?.startsWith(PREFIX) === true
}

/** `{ inline_keyboard }` with one button per row, or the given rows. */
export function keyboard (rows: Array<InlineKeyboardButton.CallbackButton | InlineKeyboardButton.CallbackButton[]>): { inline_keyboard: InlineKeyboardButton[][] } {
  return { inline_keyboard: rows.map(r => (Array.isArray(r) ? r : [r])) }
}

import type { Telegram } from 'telegraf'
import type { ActionRecord } from '../actions/record.js'
import type { ActionService } from '../actions/service.js'
import type { Logger } from '../core/logger.js'
import type { Verb } from '../notify/buttons.js'
import { formatDuration, formatTime } from '../present/format.js'
import type { Language, Translate } from '../present/i18n.js'

interface Tracked { chatId: number; messageId: number; verb: Verb; language: Language; last: string }

/**
 * Keeps a confirmation message in step with its action: edited at each change ("starting…",
 * "running ✓"), and a last time with the result, the provider's error, or the timeout.
 */
export class ProgressMessages {
  readonly #telegram: Telegram
  readonly #translators: Record<Language, Translate>
  readonly #timeZone: string | null
  readonly #log: Logger
  readonly #tracked = new Map<string, Tracked>()
  readonly #onUpdate = (record: ActionRecord): void => { void this.#render(record) }
  readonly #actions: ActionService

  constructor (options: { telegram: Telegram; actions: ActionService; translators: Record<Language, Translate>; timeZone: string | null; log: Logger }) {
    this.#telegram = options.telegram
    this.#timeZone = options.timeZone
    this.#translators = options.translators
    this.#log = options.log
    this.#actions = options.actions
    this.#actions.on('update', this.#onUpdate)
  }

  /** Follow `record` in this message from now on. */
  async track (record: ActionRecord, where: Omit<Tracked, 'last'>): Promise<void> {
    this.#tracked.set(record.id, { ...where, last: '' })
    await this.#render(await this.#actions.get(record.id, 'all') ?? record)
  }

  close (): void {
    this.#actions.off('update', this.#onUpdate)
  }

  /** The text for a record's current state, in `language`. */
  text (record: ActionRecord, verb: Verb, language: Language): string {
    const t = this.#translators[language]
    const args = { verb: t(`power.verbs.${verb}`), instance: record.instanceName }
    const state = t(`state.${record.instanceState}`, { word: record.instanceState })
    if (record.status === 'succeeded') {
      if (record.kind === 'keep-alive' && record.result?.releaseAt) return t('progress.keptAlive', { ...args, releaseAt: formatTime(record.result.releaseAt, this.#timeZone) })
      const took = Date.parse(record.finishedAt ?? record.updatedAt) - Date.parse(record.createdAt)
      return t('progress.succeeded', { ...args, state, took: formatDuration(took, language) })
    }
    if (record.status === 'failed') return t('progress.failed', { ...args, error: record.error?.message ?? '' })
    return t('progress.state', { ...args, step: record.step, state })
  }

  async #render (record: ActionRecord): Promise<void> {
    const tracked = this.#tracked.get(record.id)
    if (!tracked) return
    const text = this.text(record, tracked.verb, tracked.language)
    if (record.status === 'succeeded' || record.status === 'failed') this.#tracked.delete(record.id)
    if (text === tracked.last) return
    tracked.last = text
    await this.#telegram.editMessageText(tracked.chatId, tracked.messageId, undefined, text).catch((err: Error) => {
      this.#log.debug({ err: { message: err.message } }, 'could not edit a progress message')
    })
  }
}

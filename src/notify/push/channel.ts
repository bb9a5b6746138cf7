import type { ChannelConfig } from '../../config/schema.js'
import type { Logger } from '../../core/logger.js'
import type { Telemetry } from '../../core/telemetry.js'
import type { Translate } from '../../present/i18n.js'
import type { Alert } from '../alert.js'
import { RetryableError } from '../delivery.js'
import { postOnce } from '../http.js'
import { groupMessage, type GroupMessage } from '../message.js'
import type { Outbox, OutboxJob } from '../outbox.js'
import { publicAlerts, QueuedChannel } from '../queued-channel.js'
import type { PushVendor } from './vendor.js'

export interface ChannelRuntime {
  /** The translator of the channel's language. */
  t: Translate
  outbox: Outbox | null
  log: Logger
  telemetry?: Telemetry | undefined
  /** First back-off, milliseconds (default 1000; tests shorten it). */
  retryBaseMs?: number | undefined
  /** The rate window, milliseconds (default 60 000; tests shorten it). */
  rateIntervalMs?: number | undefined
  now?: (() => Date) | undefined
}

/**
 * Alerts through a push service (WeCom, Feishu, DingTalk, ServerChan, PushPlus, Bark, ntfy): one
 * message per group of alerts, in the channel's language, built by the vendor's declaration, posted
 * with the one delivery policy ({@link ChannelDelivery}) at the vendor's rate, read by its verdict (a
 * vendor's rate-limit code is retried after one rate window, any other error code is final). Like a
 * webhook, it never tells of accounts added through the bot nor of notes meant for Telegram.
 */
export class PushChannel extends QueuedChannel<GroupMessage> {
  readonly #config: ChannelConfig
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly #vendor: PushVendor<any>
  readonly #runtime: ChannelRuntime
  readonly #rateIntervalMs: number

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor (config: ChannelConfig, vendor: PushVendor<any>, runtime: ChannelRuntime) {
    const rateIntervalMs = runtime.rateIntervalMs ?? 60_000
    super({
      name: config.name,
      events: config.events,
      policy: { maxAttempts: config.maxAttempts, retryBaseMs: runtime.retryBaseMs ?? 1000, perInterval: vendor.perMinute, rateIntervalMs },
      outbox: runtime.outbox,
      log: runtime.log,
      telemetry: runtime.telemetry
    })
    this.#config = config
    this.#vendor = vendor
    this.#runtime = runtime
    this.#rateIntervalMs = rateIntervalMs
  }

  send (alerts: readonly Alert[]): void {
    const shown = publicAlerts(alerts)
    if (shown.length === 0) return
    this.delivery.enqueue(shown[0]!.event, groupMessage(shown, this.#runtime.t, this.#config.language, this.#vendor.maxBytes))
  }

  protected async attempt (message: GroupMessage, job: OutboxJob<GroupMessage>): Promise<void> {
    const now = this.#runtime.now?.() ?? new Date()
    const request = this.#vendor.request(this.#config.options, { id: job.id, ...message }, now)
    const answer = await postOnce(request.url, request.body, { 'content-type': 'application/json', ...request.headers })
    const verdict = this.#vendor.verdict(answer.data)
    if (verdict.ok) return
    const problem = `${this.#vendor.type} refused the message: ${verdict.message}`
    throw verdict.retry ? new RetryableError(problem, this.#rateIntervalMs) : new Error(problem)
  }
}

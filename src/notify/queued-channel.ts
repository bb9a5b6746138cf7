import type { Logger } from '../core/logger.js'
import type { Telemetry } from '../core/telemetry.js'
import { canSee, PUBLIC_VIEWER } from '../core/visibility.js'
import { listsEvent, type Alert, type Channel } from './alert.js'
import { ChannelDelivery, type DeliveryPolicy } from './delivery.js'
import type { Outbox, OutboxJob } from './outbox.js'

/**
 * The alerts of a group that may leave the host on a surface the operator configured for everyone
 * (webhooks, e-mail, push services): no note meant for one Telegram user, nothing about an account
 * added through the bot.
 */
export function publicAlerts (alerts: readonly Alert[]): Alert[] {
  return alerts.filter(a => !a.telegramOnly && canSee(PUBLIC_VIEWER, a.provider.id))
}

export interface QueuedChannelOptions {
  /** The channel's name (routes, metrics, logs, outbox). */
  name: string
  /** Its `events`; `*` for all. */
  events: readonly string[]
  policy: DeliveryPolicy
  outbox: Outbox | null
  log: Logger
  telemetry?: Telemetry | undefined
  onOutcome?: ((delivered: boolean) => void) | undefined
}

/**
 * A configured channel that delivers through {@link ChannelDelivery}: its name, its `events`, the
 * outbox, flush and close. A channel says what it sends (`send`) and how one attempt goes (`attempt`).
 */
export abstract class QueuedChannel<P> implements Channel {
  readonly name: string
  readonly #events: readonly string[]
  protected readonly delivery: ChannelDelivery<P>

  constructor (options: QueuedChannelOptions) {
    this.name = options.name
    this.#events = options.events
    this.delivery = new ChannelDelivery<P>({
      channel: options.name,
      policy: options.policy,
      outbox: options.outbox,
      send: async (payload, job) => { await this.attempt(payload, job) },
      log: options.log,
      telemetry: options.telemetry,
      onOutcome: options.onOutcome
    })
  }

  subscribes (event: string): boolean {
    return listsEvent(this.#events, event)
  }

  abstract send (alerts: readonly Alert[]): void

  resume (jobs: readonly OutboxJob[]): void {
    this.delivery.resume(jobs as ReadonlyArray<OutboxJob<P>>)
  }

  async flush (): Promise<void> {
    await this.delivery.flush()
  }

  async close (): Promise<void> {
    await this.delivery.close()
  }

  /** One attempt: throws `RetryableError` for another one, anything else to give up. */
  protected abstract attempt (payload: P, job: OutboxJob<P>): Promise<void>
}

import { createHmac } from 'node:crypto'
import type { WebhookConfig } from '../config/schema.js'
import type { Logger } from '../core/logger.js'
import { NO_TELEMETRY, type Telemetry } from '../core/telemetry.js'
import type { Alert } from './alert.js'
import { postOnce } from './http.js'
import type { Outbox, OutboxJob } from './outbox.js'
import { publicAlerts, QueuedChannel } from './queued-channel.js'

/** Version of the webhook payload below; bumped on any incompatible change. */
export const WEBHOOK_PAYLOAD_VERSION = 1

/**
 * The JSON body of a webhook delivery (version 1):
 * `{ version, id, event, at, provider: { id, type }, instance: Instance | null, message: { zh, en }, data }`.
 * Headers: `X-Computewatch-Event`, `X-Computewatch-Delivery` (= `id`, the same on every retry),
 * `X-Computewatch-Timestamp` (unix seconds) and, with a secret, `X-Computewatch-Signature:
 * sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>`.
 */
export function webhookBody (alert: Alert): string {
  return JSON.stringify({
    version: WEBHOOK_PAYLOAD_VERSION,
    id: alert.id,
    event: alert.event,
    at: alert.at,
    provider: alert.provider,
    instance: alert.instance,
    message: alert.text,
    data: alert.data
  })
}

/** `sha256=<hex>` over `<timestamp>.<body>`: what a receiver recomputes to verify a delivery. */
export function webhookSignature (secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/** What the outbox keeps of a webhook delivery: the body, signed again at each attempt. */
interface WebhookPayload { body: string }

/**
 * One webhook: a JSON POST per alert of the configured events (a webhook's payload is one alert, so
 * its deliveries are not grouped), delivered with the one policy of every channel (`ChannelDelivery`:
 * retried on network errors, 408, 429 and 5xx with exponential back-off, `Retry-After` honoured, kept
 * in the outbox across restarts), every attempt with the same delivery id so a receiver can drop
 * duplicates, signed when a secret is set.
 */
export class WebhookChannel extends QueuedChannel<WebhookPayload> {
  readonly #config: WebhookConfig
  readonly #userAgent: string

  constructor (config: WebhookConfig, options: { log: Logger; version: string; retryBaseMs?: number | undefined; telemetry?: Telemetry | undefined; outbox?: Outbox | null | undefined }) {
    const telemetry = options.telemetry ?? NO_TELEMETRY
    super({
      name: config.name,
      events: config.events,
      policy: { maxAttempts: config.maxAttempts, retryBaseMs: options.retryBaseMs ?? 1000, perInterval: null, rateIntervalMs: 60_000 },
      outbox: options.outbox ?? null,
      log: options.log,
      telemetry,
      onOutcome: delivered => telemetry.webhookDelivery(delivered ? 'delivered' : 'failed')
    })
    this.#config = config
    this.#userAgent = `computewatch/${options.version}`
  }

  /** One delivery per alert (the payload is one alert), with the alert's id as the delivery id. */
  send (alerts: readonly Alert[]): void {
    for (const alert of publicAlerts(alerts)) this.delivery.enqueue(alert.event, { body: webhookBody(alert) }, alert.id)
  }

  protected async attempt (payload: WebhookPayload, job: OutboxJob<WebhookPayload>): Promise<void> {
    const timestamp = String(Math.floor(Date.now() / 1000))
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': this.#userAgent,
      'x-computewatch-event': job.event,
      'x-computewatch-delivery': job.id,
      'x-computewatch-timestamp': timestamp
    }
    if (this.#config.secret) headers['x-computewatch-signature'] = webhookSignature(this.#config.secret, timestamp, payload.body)
    await postOnce(this.#config.url, payload.body, headers)
  }
}

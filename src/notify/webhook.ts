import { createHmac } from 'node:crypto'
import axios, { type AxiosError, type AxiosInstance } from 'axios'
import axiosRetry, { isNetworkError } from 'axios-retry'
import type { WebhookConfig } from '../config/schema.js'
import type { Logger } from '../core/logger.js'
import { NO_TELEMETRY, type Telemetry } from '../core/telemetry.js'
import { canSee, PUBLIC_VIEWER } from '../core/visibility.js'
import type { Alert, Channel } from './alert.js'

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

/**
 * One webhook: a JSON POST per alert of the configured events, retried with exponential back-off on
 * network errors, 429 and 5xx (every attempt carries the same delivery id, so a receiver can drop
 * duplicates), signed when a secret is set. Deliveries run in the background; `flush()` awaits them.
 */
export class WebhookChannel implements Channel {
  readonly #config: WebhookConfig
  readonly #http: AxiosInstance
  readonly #log: Logger
  readonly #pending = new Set<Promise<void>>()
  readonly #userAgent: string

  /** The channel's name in metrics and logs. */
  readonly name: string
  readonly #telemetry: Telemetry

  constructor (config: WebhookConfig, options: { log: Logger; version: string; retryBaseMs?: number; telemetry?: Telemetry | undefined }) {
    this.#config = config
    this.name = config.name
    this.#telemetry = options.telemetry ?? NO_TELEMETRY
    this.#log = options.log
    this.#userAgent = `computewatch/${options.version}`
    this.#http = axios.create({ timeout: 10_000, maxRedirects: 0 })
    const base = options.retryBaseMs ?? 1000
    axiosRetry(this.#http, {
      retries: config.maxAttempts - 1,
      retryCondition: (e: AxiosError) => isNetworkError(e) || e.code === 'ECONNABORTED' || e.response?.status === 429 || (e.response?.status ?? 0) >= 500,
      retryDelay: (count, error) => Math.max(axiosRetry.exponentialDelay(count, error, base), 0),
      shouldResetTimeout: true
    })
  }

  send (alert: Alert): void {
    if (alert.telegramOnly) return
    // A webhook is a public surface: nothing about an account added through the bot reaches it.
    if (!canSee(PUBLIC_VIEWER, alert.provider.id)) return
    if (!this.#config.events.includes('*') && !this.#config.events.includes(alert.event)) return
    const delivery = this.#deliver(alert).finally(() => this.#pending.delete(delivery))
    this.#pending.add(delivery)
  }

  async flush (): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending])
  }

  async #deliver (alert: Alert): Promise<void> {
    const body = webhookBody(alert)
    const timestamp = String(Math.floor(Date.now() / 1000))
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': this.#userAgent,
      'x-computewatch-event': alert.event,
      'x-computewatch-delivery': alert.id,
      'x-computewatch-timestamp': timestamp
    }
    if (this.#config.secret) headers['x-computewatch-signature'] = webhookSignature(this.#config.secret, timestamp, body)
    const target = new URL(this.#config.url)
    try {
      await this.#http.post(this.#config.url, body, { headers })
      this.#log.debug({ event: alert.event, delivery: alert.id, webhook: target.host }, 'webhook delivered')
      this.#count(alert, true)
    } catch (err) {
      const e = err as AxiosError
      // Only the host: the URL's path or query may hold a token.
      this.#log.warn({ event: alert.event, delivery: alert.id, webhook: target.host, status: e.response?.status ?? null, error: e.code ?? e.message }, 'webhook delivery failed; giving up')
      this.#count(alert, false)
    }
  }

  #count (alert: Alert, delivered: boolean): void {
    this.#telemetry.webhookDelivery(delivered ? 'delivered' : 'failed')
    this.#telemetry.alert(alert.event, this.name, delivered ? 'sent' : 'failed')
  }
}

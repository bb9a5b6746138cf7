import type { Transporter } from 'nodemailer'
import type { ChannelConfig, ChannelTypeDeclaration } from '../config/schema.js'
import type { Alert } from './alert.js'
import { RetryableError } from './delivery.js'
import { ATTEMPT_TIMEOUT_MS } from './http.js'
import { groupMessage, type GroupMessage } from './message.js'
import type { OutboxJob } from './outbox.js'
import type { ChannelRuntime } from './push/channel.js'
import { publicAlerts, QueuedChannel } from './queued-channel.js'

/** `notify.channels[]` options of `type: "email"`. */
export interface EmailOptions {
  /** The SMTP server, e.g. `smtp.qq.com`. */
  host: string
  /** 587 for STARTTLS, 465 for TLS, 25 for neither. */
  port: number
  /** `starttls`: plain connection upgraded by STARTTLS, refused without it; `tls`: TLS from the start (port 465); `none`: no encryption (a local relay). */
  security: 'starttls' | 'tls' | 'none'
  /** SMTP login; null: no authentication. */
  user: string | null
  password: string | null
  /** Accept a self-signed or expired server certificate (a local relay); off by default. */
  ignoreTlsErrors: boolean
  from: string
  to: string[]
}

/** Messages a minute the channel sends (mail providers throttle bursts; QQ Mail, 163 and Gmail all do). */
const EMAIL_PER_MINUTE = 30

const email = { type: 'string', format: 'email' }

/**
 * The `email` channel type: SMTP through nodemailer (https://nodemailer.com/smtp/). Its options are
 * checked by the config like a provider entry's.
 */
export const emailChannelType: ChannelTypeDeclaration = {
  type: 'email',
  docs: 'https://nodemailer.com/smtp/',
  schema: {
    type: 'object',
    required: ['host', 'from', 'to'],
    properties: {
      host: { type: 'string', minLength: 1, pattern: '^[^\\s/:]+$', errorMessage: { pattern: 'must be a host name such as smtp.example.com (no scheme, no port)' } },
      port: { type: 'integer', minimum: 1, maximum: 65535, default: 587 },
      security: { type: 'string', enum: ['starttls', 'tls', 'none'], default: 'starttls' },
      user: { type: ['string', 'null'], minLength: 1, default: null },
      password: { type: ['string', 'null'], minLength: 1, default: null },
      ignoreTlsErrors: { type: 'boolean', default: false },
      from: { type: 'string', minLength: 3 },
      to: { type: 'array', items: email, minItems: 1, uniqueItems: true }
    }
  }
}

/** Escape text for HTML. */
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)

/** The HTML body of a message: its title, one paragraph per line, in the channel's language. */
export function emailHtml (message: GroupMessage, language: 'zh' | 'en', footer: string): string {
  const lines = message.text.split('\n').map(line => `<p style="margin:0 0 8px">${escapeHtml(line)}</p>`).join('\n')
  return `<!doctype html>\n<html lang="${language === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><title>${escapeHtml(message.title)}</title></head>\n<body style="font-family:system-ui,sans-serif;font-size:15px;line-height:1.5">\n<h2 style="font-size:17px">${escapeHtml(message.title)}</h2>\n${lines}\n<p style="color:#666;font-size:12px">${escapeHtml(footer)}</p>\n</body></html>`
}

/** SMTP answers and errors that sending the same message again would get again (RFC 5321: 5yz, except 503). */
function isPermanent (err: { code?: string; responseCode?: number }): boolean {
  if (typeof err.responseCode === 'number') return err.responseCode >= 500 && err.responseCode !== 503
  return ['EAUTH', 'ENOAUTH', 'ECONFIG', 'EENVELOPE'].includes(err.code ?? '')
}

/**
 * Alerts by e-mail: one message per group of alerts, with a text and an HTML body in the channel's
 * language, to every address of `to`. Each message's `Message-ID` is `<delivery id@computewatch>` (the
 * same on every attempt and after a restart), so a mail system can drop a duplicate. SMTP 4yz answers
 * and lost connections are retried; 5yz answers (a refused login, an unknown recipient) are not.
 */
export class EmailChannel extends QueuedChannel<GroupMessage> {
  readonly #config: ChannelConfig
  readonly #options: EmailOptions
  readonly #runtime: ChannelRuntime
  /** Made at the first message: a host loads nodemailer (1.3 MB of heap) only once it sends e-mail. */
  #transport: Promise<Transporter> | null = null

  constructor (config: ChannelConfig, runtime: ChannelRuntime) {
    super({
      name: config.name,
      events: config.events,
      policy: { maxAttempts: config.maxAttempts, retryBaseMs: runtime.retryBaseMs ?? 1000, perInterval: EMAIL_PER_MINUTE, rateIntervalMs: runtime.rateIntervalMs ?? 60_000 },
      outbox: runtime.outbox,
      log: runtime.log,
      telemetry: runtime.telemetry
    })
    this.#config = config
    this.#options = config.options as unknown as EmailOptions
    this.#runtime = runtime
  }

  async #connect (): Promise<Transporter> {
    const o = this.#options
    const { default: nodemailer } = await import('nodemailer')
    return nodemailer.createTransport({
      host: o.host,
      port: o.port,
      secure: o.security === 'tls',
      requireTLS: o.security === 'starttls',
      ignoreTLS: o.security === 'none',
      ...(o.user !== null ? { auth: { user: o.user, pass: o.password ?? '' } } : {}),
      tls: { rejectUnauthorized: !o.ignoreTlsErrors },
      connectionTimeout: ATTEMPT_TIMEOUT_MS,
      greetingTimeout: ATTEMPT_TIMEOUT_MS,
      socketTimeout: ATTEMPT_TIMEOUT_MS * 3
    })
  }

  send (alerts: readonly Alert[]): void {
    const shown = publicAlerts(alerts)
    if (shown.length === 0) return
    this.delivery.enqueue(shown[0]!.event, groupMessage(shown, this.#runtime.t, this.#config.language))
  }

  override async close (): Promise<void> {
    await super.close()
    const transport = await this.#transport?.catch(() => null)
    transport?.close()
  }

  protected async attempt (message: GroupMessage, job: OutboxJob<GroupMessage>): Promise<void> {
    const { t } = this.#runtime
    const footer = t('group.footer')
    try {
      // A failed load is not kept: the next attempt tries again.
      const transport = await (this.#transport ??= this.#connect().catch((err: unknown) => { this.#transport = null; throw err }))
      await transport.sendMail({
        from: this.#options.from,
        to: this.#options.to,
        subject: message.title,
        text: `${message.text}\n\n-- \n${footer}\n`,
        html: emailHtml(message, this.#config.language, footer),
        messageId: `<${job.id}@computewatch>`,
        headers: { 'X-Computewatch-Event': job.event, 'X-Computewatch-Delivery': job.id }
      })
    } catch (err) {
      const e = err as Error & { code?: string; responseCode?: number }
      const problem = `SMTP ${this.#options.host}: ${e.responseCode ?? e.code ?? ''} ${e.message}`.replace(/\s+/g, ' ')
      throw isPermanent(e) ? new Error(problem) : new RetryableError(problem)
    }
  }
}

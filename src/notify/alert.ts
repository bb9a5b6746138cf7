import type { Instance } from '../core/instance.js'
import type { ButtonPayload } from './buttons.js'
import type { OutboxJob } from './outbox.js'

/** A text in every language the host speaks. */
export interface Texts {
  zh: string
  en: string
}

/** Something worth telling people, on every channel. */
export interface Alert {
  /** Unique id; the webhook delivery id. */
  id: string
  /** What happened, e.g. `release.approaching` (declared by the rule, see `src/alerts/rules`). */
  event: string
  /** The rule that raised it: picks `alerts.chatIds[rule]`. */
  rule: string
  /** ISO 8601. */
  at: string
  provider: { id: string; type: string }
  instance: Instance | null
  text: Texts
  /** Telegram only: inline buttons. */
  buttons?: Array<{ label: Texts; payload: ButtonPayload }>
  /**
   * Telegram recipients chosen by the rule itself (the user of a watch). Otherwise the rule's
   * `alerts.chatIds`, else the users who may see the provider entry.
   */
  telegramUserIds?: number[]
  /** Telegram only, not webhooks (e.g. a note to one user about their watch). */
  telegramOnly?: boolean
  /** Figures for machines (webhook `data`). */
  data: Record<string, unknown>
}

/** A channel alerts go out on: Telegram, a webhook, e-mail, a push service. */
export interface Channel {
  /** `telegram`, or the webhook's or channel's name: the target of `alerts.routes`, the `channel` label of metrics. */
  readonly name: string
  /** Does it take `event` (its `events`) when `alerts.routes` names no channels for it? */
  subscribes (event: string): boolean
  /**
   * Send a group: alerts of one rule and event raised together (by one snapshot), as one message where
   * the channel is read by people; a webhook delivers each alert on its own (its payload is one alert).
   */
  send (alerts: readonly Alert[]): void
  /** Deliver the jobs a previous run left in the outbox for this channel. */
  resume? (jobs: readonly OutboxJob[]): void
  /** Resolve once everything sent so far was delivered or given up (tests). */
  flush (): Promise<void>
  /** Stop retrying; what is not delivered stays in the outbox (shutdown). */
  close (): Promise<void>
}

/** `events` of a channel's config: does it list `event` (or `*`)? */
export function listsEvent (events: readonly string[], event: string): boolean {
  return events.includes('*') || events.includes(event)
}

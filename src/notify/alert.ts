import type { Instance } from '../core/instance.js'
import type { ButtonPayload } from './buttons.js'

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

/** A channel alerts go out on. */
export interface Channel {
  send (alert: Alert): void
  /** Resolve once everything sent so far was delivered or given up (tests, shutdown). */
  flush (): Promise<void>
}

/**
 * Outcomes the host counts: each part of the host reports what happened through this interface, and
 * `src/metrics` turns the reports into Prometheus counters. Every method is cheap and never throws.
 * Labels stay bounded: provider entries, event names, channel names and fixed result words.
 */
export interface Telemetry {
  /** One poll of a provider entry ended. */
  poll (entry: EntryLabels, result: 'success' | 'failure'): void
  /**
   * One login to a provider ended: `success`, `rejected` (the provider refused the credentials), or
   * `failure` (no answer: network, timeout, 5xx). A login the back-off holds back is not attempted and not counted.
   */
  login (entry: EntryLabels, result: LoginOutcome): void
  /** One alert message went out on a channel (`sent`; Telegram counts each chat), or could not be delivered (`failed`). */
  alert (event: string, channel: string, result: 'sent' | 'failed'): void
  /** One webhook delivery ended, after its retries. */
  webhookDelivery (result: 'delivered' | 'failed'): void
  /** One action ended: `succeeded`, `failed`, or `refused` before anything was asked of the provider. */
  action (kind: string, result: 'succeeded' | 'failed' | 'refused'): void
  /** The cost ledger added `yuan` (an estimate at poll resolution) to an entry's running cost. */
  cost? (entry: EntryLabels, yuan: number): void
}

/** The entry a poll or login belongs to: its id and provider type. */
export interface EntryLabels {
  id: string
  type: string
}

export type LoginOutcome = 'success' | 'rejected' | 'failure'

/** A {@link Telemetry} that counts nothing: the default where nobody reads the figures (tests, tools). */
export const NO_TELEMETRY: Telemetry = {
  poll () {},
  login () {},
  alert () {},
  webhookDelivery () {},
  action () {}
}

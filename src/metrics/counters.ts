import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client'
import type { EntryLabels, LoginOutcome, Telemetry } from '../core/telemetry.js'

/** Action kinds and outcomes, counted from 0 so `rate()` sees the first one. */
const ACTION_KINDS = ['power-on', 'power-off', 'keep-alive'] as const
const ACTION_RESULTS = ['succeeded', 'failed', 'refused'] as const

export interface HostMetricsOptions {
  /** The package version (`computewatch_build_info`). */
  version: string
  /**
   * Whether an entry may be named in metrics: entries a user added through the bot are private, so
   * their polls and logins are not counted (the same rule as the view's `PUBLIC_VIEWER`).
   */
  isPublic: (entryId: string) => boolean
}

/**
 * The host's counters, as a {@link Telemetry}: polls, logins, alerts, webhook deliveries and actions,
 * plus `computewatch_build_info`. Every series a label set implies is created at 0 the first time the
 * entry (or channel) shows up, so `rate()` and `increase()` see the first event.
 */
export class HostMetrics implements Telemetry {
  /** Counters and build info: rendered at each scrape (a few dozen series). */
  readonly registry = new Registry()
  readonly #isPublic: (entryId: string) => boolean
  readonly #polls: Counter<'provider' | 'type' | 'result'>
  readonly #logins: Counter<'provider' | 'type' | 'result'>
  readonly #alerts: Counter<'event' | 'channel' | 'result'>
  readonly #deliveries: Counter<'result'>
  readonly #actions: Counter<'kind' | 'result'>
  readonly #cost: Counter<'provider' | 'type'>
  readonly #seen = new Set<string>()
  #changes = 0

  constructor (options: HostMetricsOptions) {
    this.#isPublic = options.isPublic
    const registers = [this.registry]
    const build = new Gauge({ name: 'computewatch_build_info', help: 'Always 1; the running version and Node.js.', labelNames: ['version', 'node'], registers })
    build.set({ version: options.version, node: process.version }, 1)
    this.#polls = new Counter({ name: 'computewatch_provider_polls_total', help: 'Polls of a provider entry, by result (success, failure).', labelNames: ['provider', 'type', 'result'], registers })
    this.#logins = new Counter({
      name: 'computewatch_provider_logins_total',
      help: 'Logins to a provider, by result (success; rejected: credentials refused; failure: no answer).',
      labelNames: ['provider', 'type', 'result'],
      registers
    })
    this.#alerts = new Counter({ name: 'computewatch_alerts_total', help: 'Alert messages by event, channel and result (sent, failed).', labelNames: ['event', 'channel', 'result'], registers })
    this.#deliveries = new Counter({ name: 'computewatch_webhook_deliveries_total', help: 'Webhook deliveries after their retries, by result (delivered, failed).', labelNames: ['result'], registers })
    this.#actions = new Counter({ name: 'computewatch_actions_total', help: 'Power actions by kind and result (succeeded, failed, refused).', labelNames: ['kind', 'result'], registers })
    this.#cost = new Counter({ name: 'computewatch_cost_yuan_total', help: 'Running cost observed by the host, in yuan: running time between polls × price per hour (an estimate at poll resolution).', labelNames: ['provider', 'type'], registers })
    for (const result of ['delivered', 'failed']) this.#deliveries.inc({ result }, 0)
    for (const kind of ACTION_KINDS) for (const result of ACTION_RESULTS) this.#actions.inc({ kind, result }, 0)
  }

  /** Grows with every count: the rendered text is still valid while it is unchanged. */
  get changes (): number {
    return this.#changes
  }

  poll (entry: EntryLabels, result: 'success' | 'failure'): void {
    if (!this.#isPublic(entry.id)) return
    this.#changes++
    this.#start(`poll ${entry.id}`, () => { for (const r of ['success', 'failure']) this.#polls.inc({ provider: entry.id, type: entry.type, result: r }, 0) })
    this.#polls.inc({ provider: entry.id, type: entry.type, result })
  }

  login (entry: EntryLabels, result: LoginOutcome): void {
    if (!this.#isPublic(entry.id)) return
    this.#changes++
    this.#start(`login ${entry.id}`, () => { for (const r of ['success', 'rejected', 'failure']) this.#logins.inc({ provider: entry.id, type: entry.type, result: r }, 0) })
    this.#logins.inc({ provider: entry.id, type: entry.type, result })
  }

  alert (event: string, channel: string, result: 'sent' | 'failed'): void {
    this.#changes++
    this.#start(`alert ${event} ${channel}`, () => { for (const r of ['sent', 'failed']) this.#alerts.inc({ event, channel, result: r }, 0) })
    this.#alerts.inc({ event, channel, result })
  }

  webhookDelivery (result: 'delivered' | 'failed'): void {
    this.#changes++
    this.#deliveries.inc({ result })
  }

  cost (entry: EntryLabels, yuan: number): void {
    if (!this.#isPublic(entry.id)) return
    this.#changes++
    this.#cost.inc({ provider: entry.id, type: entry.type }, yuan)
  }

  /** `computewatch_leader{host}`: 1 while this host leads the replicas on Redis, 0 while it follows. */
  leader (host: string, leads: () => boolean): void {
    const registers = [this.registry]
    new Gauge({ name: 'computewatch_leader', help: '1 while this host leads the hosts sharing the Redis store, 0 while it follows.', labelNames: ['host'], registers, collect () { this.set({ host }, leads() ? 1 : 0) } })
  }

  action (kind: string, result: 'succeeded' | 'failed' | 'refused'): void {
    this.#changes++
    this.#actions.inc({ kind, result })
  }

  #start (key: string, zero: () => void): void {
    if (this.#seen.has(key)) return
    this.#seen.add(key)
    zero()
  }
}

let processMetrics: Registry | null = null

/**
 * The process and Node.js metrics prom-client collects (`process_*`, `nodejs_*`: CPU, memory, heap,
 * event-loop lag, GC), one registry per process however many hosts run in it. The three
 * `nodejs_active_*_total` gauges are left out: they are gauges with a counter's suffix, which
 * `promtool check metrics` rejects, and `nodejs_active_handles`/`_requests`/`_resources` carry the same
 * figures by type.
 */
export function processRegistry (): Registry {
  if (processMetrics) return processMetrics
  processMetrics = new Registry()
  collectDefaultMetrics({ register: processMetrics })
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) processMetrics.removeSingleMetric(name)
  return processMetrics
}

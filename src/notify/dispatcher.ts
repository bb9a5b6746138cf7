import type { Logger } from '../core/logger.js'
import type { Alert, Channel } from './alert.js'
import type { Outbox } from './outbox.js'

/**
 * Alerts raised together (one evaluation of a snapshot), grouped by rule and event in the order they
 * were raised: each group becomes one message per channel.
 */
export function groupAlerts (alerts: readonly Alert[]): Alert[][] {
  const groups = new Map<string, Alert[]>()
  for (const alert of alerts) {
    const key = `${alert.rule}\u0000${alert.event}`
    let group = groups.get(key)
    if (!group) groups.set(key, group = [])
    group.push(alert)
  }
  return [...groups.values()]
}

/**
 * Sends each group of alerts to its channels: the ones `alerts.routes` names for its event, else every
 * channel that subscribes to it. Each channel delivers on its own, so a slow or failing one never
 * delays another. `resume()` hands the outbox's jobs back to their channels after a restart.
 */
export class Dispatcher {
  readonly #channels: Channel[]
  readonly #routes: Readonly<Record<string, readonly string[]>>
  readonly #outbox: Outbox | null
  readonly #log: Logger | null

  constructor (channels: Channel[], options: { routes?: Readonly<Record<string, readonly string[]>>; outbox?: Outbox | null; log?: Logger } = {}) {
    this.#channels = channels
    this.#routes = options.routes ?? {}
    this.#outbox = options.outbox ?? null
    this.#log = options.log ?? null
  }

  /** The channels `event` goes to. */
  channelsFor (event: string): Channel[] {
    const route = this.#routes[event]
    return route ? this.#channels.filter(c => route.includes(c.name)) : this.#channels.filter(c => c.subscribes(event))
  }

  /** Send alerts raised together: one message per rule and event on each channel. */
  send (alerts: Alert | readonly Alert[]): void {
    for (const group of groupAlerts(Array.isArray(alerts) ? alerts as Alert[] : [alerts as Alert])) {
      for (const channel of this.channelsFor(group[0]!.event)) channel.send(group)
    }
  }

  /** Deliver what the previous run left in the outbox; jobs of a channel no longer configured are dropped. */
  async resume (): Promise<void> {
    if (!this.#outbox) return
    const jobs = await this.#outbox.list()
    for (const channel of this.#channels) {
      const own = jobs.filter(j => j.channel === channel.name)
      if (own.length > 0 && channel.resume) channel.resume(own)
    }
    const orphans = jobs.filter(j => !this.#channels.some(c => c.name === j.channel && c.resume))
    for (const job of orphans) await this.#outbox.remove(job)
    if (jobs.length > 0) this.#log?.info({ resumed: jobs.length - orphans.length, dropped: orphans.length }, 'deliveries left by the previous run resumed')
  }

  async flush (): Promise<void> {
    await Promise.all(this.#channels.map(c => c.flush()))
  }

  /** Stop retrying on every channel; undelivered messages stay in the outbox for the next start. */
  async close (): Promise<void> {
    await Promise.all(this.#channels.map(c => c.close()))
  }
}

import { EventEmitter } from 'node:events'
import { hostname } from 'node:os'
import PQueue from 'p-queue'
import type { Aggregator, SnapshotChange } from './aggregator.js'
import type { Instance } from './instance.js'
import { LeaderLease } from './lease.js'
import type { Logger } from './logger.js'
import type { ProviderStatus } from './snapshot.js'
import type { RedisConnection, RedisSubscriber } from './store.js'

export interface ReplicasOptions {
  redis: RedisConnection
  aggregator: Aggregator
  /** This host's name among the replicas (default `<hostname>:<pid>`). */
  hostId?: string
  /** Prefix of the keys and channel (default `computewatch:`). */
  prefix?: string
  /** Lease length, milliseconds (default 7500: a takeover within 15 s). */
  leaseMs?: number
  log: Logger
}

/** What the leader publishes of one entry: its instances and status as its view shows them. */
interface Published { instances: readonly Instance[]; status: ProviderStatus }

/**
 * Several hosts on one Redis store: one leader, the others followers. The leader holds the
 * {@link LeaderLease}; after each change of its view it writes each changed entry's instances and
 * status to `<prefix>snapshot:<entry>` (a fenced write: a deposed leader's is refused) and announces
 * the entry on the channel `<prefix>snapshot`. A follower polls nothing: it reads the announced entries
 * into its aggregator ({@link Aggregator.adopt}), so its API, `/metrics` and page (with their live
 * updates) show the leader's view. `lead` is emitted when this host becomes the leader, `deposed` when
 * it lost the lease (the host then stops, see `src/app.ts`).
 */
export class Replicas extends EventEmitter<{ lead: []; deposed: [reason: string] }> {
  readonly hostId: string
  readonly #o: ReplicasOptions
  readonly #prefix: string
  readonly #lease: LeaderLease
  readonly #writes = new PQueue({ concurrency: 1 })
  #subscriber: RedisSubscriber | null = null
  readonly #onSnapshot = (_snapshot: unknown, change: SnapshotChange): void => {
    if (this.#lease.isLeader()) for (const id of change.entries) void this.#writes.add(async () => { await this.#publish(id) })
  }

  constructor (options: ReplicasOptions) {
    super()
    this.#o = options
    this.hostId = options.hostId ?? `${hostname()}:${process.pid}`
    this.#prefix = options.prefix ?? 'computewatch:'
    this.#lease = new LeaderLease({ redis: options.redis.commands, prefix: this.#prefix, hostId: this.hostId, leaseMs: options.leaseMs, log: options.log })
    this.#lease.on('elected', () => { this.emit('lead') })
    this.#lease.on('deposed', reason => { this.emit('deposed', reason) })
  }

  /** `leader` while this host holds the lease, else `follower`. */
  role (): 'leader' | 'follower' {
    return this.#lease.isLeader() ? 'leader' : 'follower'
  }

  /** The host that leads now (from Redis), or null while nobody does. */
  async leader (): Promise<string | null> {
    return await this.#lease.leader()
  }

  /**
   * Follow the leader's announcements, read what it published so far, and take part in the election;
   * resolves after the first attempt, so {@link role} says at once whether this host leads.
   */
  async start (): Promise<void> {
    const { aggregator, redis } = this.#o
    await redis.connect()
    this.#subscriber = await redis.subscriber()
    await this.#subscriber.subscribe(`${this.#prefix}snapshot`, id => { if (!this.#lease.isLeader()) void this.#adopt(id) })
    for (const id of aggregator.ids()) await this.#adopt(id)
    aggregator.on('snapshot', this.#onSnapshot)
    await this.#lease.start()
    if (this.#lease.isLeader()) {
      // Publish the whole view once: followers that started first see it without waiting for each poll.
      for (const id of aggregator.ids()) void this.#writes.add(async () => { await this.#publish(id) })
    }
  }

  /** Give the lease up (another host takes over at once) and stop following. */
  async stop (): Promise<void> {
    this.#o.aggregator.off('snapshot', this.#onSnapshot)
    await this.#writes.onIdle()
    await this.#lease.stop()
    await this.#subscriber?.quit().catch(() => {})
    this.#subscriber = null
  }

  async #publish (id: string): Promise<void> {
    const { aggregator, redis, log } = this.#o
    const status = aggregator.status(id)
    if (!status) return
    try {
      await this.#lease.fencedSet(`${this.#prefix}snapshot:${id}`, JSON.stringify({ instances: aggregator.instancesOf(id), status } satisfies Published))
      await redis.commands.publish(`${this.#prefix}snapshot`, id)
    } catch (err) {
      log.warn({ provider: id, err: { message: (err as Error).message } }, 'could not publish the view to the followers')
    }
  }

  async #adopt (id: string): Promise<void> {
    try {
      const raw = await this.#o.redis.commands.get(`${this.#prefix}snapshot:${id}`)
      if (raw !== null) this.#o.aggregator.adopt(id, JSON.parse(raw) as { instances: Instance[]; status: ProviderStatus })
    } catch (err) {
      this.#o.log.warn({ provider: id, err: { message: (err as Error).message } }, 'could not read the leader\'s view')
    }
  }
}

import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { hostname } from 'node:os'
import PQueue from 'p-queue'
import type { Aggregator, SnapshotChange } from './aggregator.js'
import { BusyError } from './errors.js'
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

/** A control request a follower hands to the leader, and the leader's answer. */
export interface ForwardedRequest { method: string; url: string; headers: Record<string, string>; body?: string | undefined }
export interface ForwardedAnswer { statusCode: number; headers: Record<string, string>; body: string }

/** How long a follower waits for the leader's answer to a forwarded request, milliseconds. */
export const FORWARD_TIMEOUT_MS = 30_000

/** What the leader publishes of one entry: its instances and status as its view shows them. */
interface Published { instances: readonly Instance[]; status: ProviderStatus }

/**
 * Several hosts on one Redis store: one leader, the others followers. The leader holds the
 * {@link LeaderLease}; after each change of its view it writes each changed entry's instances and
 * status to `<prefix>snapshot:<entry>` (a fenced write: a deposed leader's is refused) and announces
 * the entry on the channel `<prefix>snapshot`. A follower polls nothing: it reads the announced entries
 * into its aggregator ({@link Aggregator.adopt}), so its API, `/metrics` and page (with their live
 * updates) show the leader's view. A follower hands control requests to the leader ({@link forward},
 * channel `<prefix>control`) and answers with the leader's answer. `lead` is emitted when this host
 * becomes the leader, `deposed` when it lost the lease (the host then stops, see `src/app.ts`).
 */
export class Replicas extends EventEmitter<{ lead: []; deposed: [reason: string] }> {
  readonly hostId: string
  readonly #o: ReplicasOptions
  readonly #prefix: string
  readonly #lease: LeaderLease
  readonly #writes = new PQueue({ concurrency: 1 })
  #subscriber: RedisSubscriber | null = null
  #handler: ((request: ForwardedRequest) => Promise<ForwardedAnswer>) | null = null
  readonly #waiting = new Map<string, (answer: ForwardedAnswer) => void>()
  readonly #onSnapshot = (_snapshot: unknown, change: SnapshotChange): void => {
    if (this.#lease.isLeader()) for (const id of change.entries) void this.#writes.add(async () => { await this.#publish(id) })
  }

  constructor (options: ReplicasOptions) {
    super()
    this.#o = options
    this.hostId = options.hostId ?? `${hostname()}:${process.pid}`
    this.#prefix = options.prefix ?? 'computewatch:'
    this.#lease = new LeaderLease({ redis: options.redis.commands, prefix: this.#prefix, hostId: this.hostId, leaseMs: options.leaseMs, log: options.log })
    // Every state write of the store now carries this host's fencing token.
    options.redis.fence(this.#lease)
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
    await this.#subscriber.subscribe(`${this.#prefix}control`, message => { if (this.#lease.isLeader()) void this.#serve(message) })
    await this.#subscriber.subscribe(`${this.#prefix}control:${this.hostId}`, message => {
      const { id, answer } = JSON.parse(message) as { id: string; answer: ForwardedAnswer }
      this.#waiting.get(id)?.(answer)
    })
    for (const id of aggregator.ids()) await this.#adopt(id)
    aggregator.on('snapshot', this.#onSnapshot)
    await this.#lease.start()
    if (this.#lease.isLeader()) {
      // Publish the whole view once: followers that started first see it without waiting for each poll.
      for (const id of aggregator.ids()) void this.#writes.add(async () => { await this.#publish(id) })
    }
  }

  /** What the leader does with a forwarded request (the host's API, through `inject`). */
  onControl (handler: (request: ForwardedRequest) => Promise<ForwardedAnswer>): void {
    this.#handler = handler
  }

  /**
   * Have the leader carry out a request (a follower's control request), through the channel
   * `<prefix>control`; resolves with its answer.
   * @throws BusyError when no leader answered within {@link FORWARD_TIMEOUT_MS}.
   */
  async forward (request: ForwardedRequest): Promise<ForwardedAnswer> {
    const id = randomUUID()
    const answered = new Promise<ForwardedAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id)
        reject(new BusyError(`no leader answered within ${FORWARD_TIMEOUT_MS / 1000} s; nothing was done here: try again`))
      }, FORWARD_TIMEOUT_MS)
      this.#waiting.set(id, answer => { clearTimeout(timer); this.#waiting.delete(id); resolve(answer) })
    })
    const listeners = Number(await this.#o.redis.commands.publish(`${this.#prefix}control`, JSON.stringify({ id, replyTo: this.hostId, request })))
    if (listeners === 0) this.#o.log.warn('no host listens for control requests')
    return await answered
  }

  async #serve (message: string): Promise<void> {
    const { id, replyTo, request } = JSON.parse(message) as { id: string; replyTo: string; request: ForwardedRequest }
    let answer: ForwardedAnswer
    try {
      if (!this.#handler) throw new Error('this host cannot carry out forwarded requests')
      answer = await this.#handler(request)
    } catch (err) {
      answer = { statusCode: 500, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ statusCode: 500, code: 'CW_ERR', error: 'Internal Server Error', message: (err as Error).message }) }
    }
    await this.#o.redis.commands.publish(`${this.#prefix}control:${replyTo}`, JSON.stringify({ id, answer })).catch((err: Error) => {
      this.#o.log.warn({ err: { message: err.message } }, 'could not answer a forwarded request')
    })
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

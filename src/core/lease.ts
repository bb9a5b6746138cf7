import { EventEmitter } from 'node:events'
import type { Logger } from './logger.js'
import { fencedWrite } from './fence.js'
import type { RedisCommands, WriteFence } from './store-types.js'

export interface LeaderLeaseOptions {
  /** The store's Redis connection (or any node-redis client). */
  redis: Pick<RedisCommands, 'eval' | 'get'>
  /** Keys start with this, e.g. `computewatch:` (`<prefix>leader`, `<prefix>fence`, `<prefix>fence:counter`). */
  prefix: string
  /** This host, unique per process: shown as the leader (`/healthz`, `computewatch_leader{host}`). */
  hostId: string
  /** How long a lease lasts without renewal, milliseconds (default 7500: a takeover within 15 s). */
  leaseMs?: number
  /** Time between two renewals or attempts, milliseconds (default a third of the lease). */
  renewMs?: number
  log: Logger
}

/** Take the lease when free; on success, advance the fencing counter and make it the current fence. */
const ACQUIRE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local token = redis.call('INCR', KEYS[3])
  redis.call('SET', KEYS[1], ARGV[1] .. '#' .. token, 'PX', ARGV[2])
  redis.call('SET', KEYS[2], token)
  return token
end
return 0`
/** Renew the lease only if it is still ours (holder and token). */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`
/** Give the lease up only if it is still ours. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`
/**
 * One leader among hosts sharing a Redis, by a lease (`SET NX PX` on `<prefix>leader`, renewed with a
 * compare-and-expire script) and a **fencing token**: each new lease takes the next number of a
 * counter and makes it the current fence (`<prefix>fence`). Writes that must not come from a deposed
 * leader go through {@link fencedSet}, which Redis refuses when the fence moved on.
 *
 * Built on the Redis client's own primitives (Lua scripts run atomically), not on Redlock: Redlock
 * offers no fencing token, and its safety needs several independent Redis masters, while the hosts
 * share one store (see Martin Kleppmann, "How to do distributed locking", 2016).
 *
 * Leadership is also bounded locally, on the monotonic clock: a renewal confirmed for a request sent at
 * `t` keeps this host leader until `t + leaseMs − margin` at most. A process paused past that (SIGSTOP,
 * a long GC, a suspended VM) finds {@link isLeader} false as soon as it runs again, before it does
 * anything, and steps down (`deposed`) at its next renewal attempt.
 */
export class LeaderLease extends EventEmitter<{ elected: [token: number]; deposed: [reason: string] }> implements WriteFence {
  readonly #o: LeaderLeaseOptions
  readonly #leaseMs: number
  readonly #renewMs: number
  #token: number | null = null
  /** Monotonic time (`performance.now()`) until which this host may act as leader. */
  #validUntil = 0
  #timer: NodeJS.Timeout | null = null
  #stopped = true
  #tick: Promise<void> | null = null

  constructor (options: LeaderLeaseOptions) {
    super()
    this.#o = options
    this.#leaseMs = options.leaseMs ?? 7500
    this.#renewMs = options.renewMs ?? Math.floor(this.#leaseMs / 3)
  }

  get #keys (): { leader: string; fence: string; counter: string } {
    const p = this.#o.prefix
    return { leader: `${p}leader`, fence: `${p}fence`, counter: `${p}fence:counter` }
  }

  /** The Redis key holding the current fence (the token of the newest lease). */
  get fenceKey (): string {
    return this.#keys.fence
  }

  /** The store refused a write carrying this host's token: another host leads now, so step down. */
  refused (): void {
    this.#depose('a write was refused: another host leads now')
  }

  /** The fencing token of this host's lease, or null when it does not lead. */
  get token (): number | null {
    return this.isLeader() ? this.#token : null
  }

  /** True while this host holds a lease it renewed recently enough (monotonic clock, with a margin). */
  isLeader (): boolean {
    return this.#token !== null && performance.now() < this.#validUntil
  }

  /** The host that holds the lease now (from Redis), or null. */
  async leader (): Promise<string | null> {
    const value = await this.#o.redis.get(this.#keys.leader)
    return value === null ? null : value.slice(0, value.lastIndexOf('#'))
  }

  /** Try at once, then every `renewMs`: take the lease when free, renew it while held. Resolves after the first attempt. */
  async start (): Promise<void> {
    if (!this.#stopped) return
    this.#stopped = false
    await this.#attempt()
  }

  /** Stop renewing and give the lease up (another host takes over at once, not after the lease). */
  async stop (): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    await this.#tick
    if (this.#token !== null) {
      const value = `${this.#o.hostId}#${this.#token}`
      this.#depose('stopped')
      await this.#o.redis.eval(RELEASE, { keys: [this.#keys.leader], arguments: [value] }).catch(() => {})
    }
  }

  /**
   * Set `key` to `value` (with `ttlMs`) only while this host's token is the current fence.
   * @throws StoreError when this host does not lead, or Redis refused the write (another host leads now).
   */
  async fencedSet (key: string, value: string, ttlMs?: number): Promise<void> {
    await fencedWrite(this.#o.redis, this, key, { set: value, ttlMs })
  }

  async #attempt (): Promise<void> {
    if (this.#stopped) return
    this.#tick = this.#renewOrAcquire()
    await this.#tick
    this.#tick = null
    if (!this.#stopped) {
      this.#timer = setTimeout(() => { void this.#attempt() }, this.#renewMs)
      this.#timer.unref() // the host's server keeps the process alive, not the lease
    }
  }

  async #renewOrAcquire (): Promise<void> {
    const { redis, hostId } = this.#o
    const keys = this.#keys
    const sentAt = performance.now()
    // Only what was confirmed counts, from the time the request was sent, less a margin for clock drift.
    const until = sentAt + this.#leaseMs * 0.9
    try {
      if (this.#token !== null) {
        if (!this.isLeader()) return this.#depose('the lease ran out before it was renewed (the process was paused or Redis was slow)')
        const renewed = await redis.eval(RENEW, { keys: [keys.leader], arguments: [`${hostId}#${this.#token}`, String(this.#leaseMs)] })
        if (Number(renewed) === 1 && performance.now() < until) this.#validUntil = until
        else this.#depose('the lease is held by another host')
        return
      }
      const token = Number(await redis.eval(ACQUIRE, { keys: [keys.leader, keys.fence, keys.counter], arguments: [hostId, String(this.#leaseMs)] }))
      if (token > 0 && performance.now() < until) {
        this.#token = token
        this.#validUntil = until
        this.#o.log.info({ host: hostId, token }, 'this host leads')
        this.emit('elected', token)
      }
    } catch (err) {
      this.#o.log.warn({ err: { message: (err as Error).message } }, 'could not reach Redis for the leader lease')
      if (this.#token !== null && !this.isLeader()) this.#depose('Redis could not be reached to renew the lease')
    }
  }

  #depose (reason: string): void {
    if (this.#token === null) return
    this.#o.log.warn({ host: this.#o.hostId, token: this.#token, reason }, 'this host steps down')
    this.#token = null
    this.#validUntil = 0
    this.emit('deposed', reason)
  }
}

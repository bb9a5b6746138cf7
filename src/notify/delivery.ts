import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import PQueue from 'p-queue'
import pRetry from 'p-retry'
import type { Logger } from '../core/logger.js'
import { NO_TELEMETRY, type Telemetry } from '../core/telemetry.js'
import type { Outbox, OutboxJob } from './outbox.js'

/**
 * A failed attempt worth another one: a network error or timeout, HTTP 429 or 5xx, a vendor's
 * rate-limit code. Anything else a channel throws is final (a refused key, a 4xx): no further attempt.
 */
export class RetryableError extends Error {
  /** How long the receiver asked us to wait (`Retry-After`, a rate-limit answer), milliseconds; null: the back-off decides. */
  readonly retryAfterMs: number | null

  constructor (message: string, retryAfterMs: number | null = null) {
    super(message)
    this.name = 'RetryableError'
    this.retryAfterMs = retryAfterMs
  }
}

/** The one retry and rate policy every channel delivers with. */
export interface DeliveryPolicy {
  /** Attempts before giving up (`maxAttempts` of the channel). */
  maxAttempts: number
  /** Wait before the second attempt, milliseconds; doubled each time (with jitter) up to {@link MAX_BACKOFF_MS}. */
  retryBaseMs: number
  /** Messages the receiver accepts per `rateIntervalMs` (WeCom, DingTalk: 20 a minute); null: no limit. */
  perInterval: number | null
  /** The rate window, milliseconds (60 000; tests shorten it). Also the wait after a vendor's rate-limit code. */
  rateIntervalMs: number
}

/** Largest wait between two attempts, and largest `Retry-After` honoured, milliseconds. */
export const MAX_BACKOFF_MS = 10 * 60_000

export interface ChannelDeliveryOptions<P> {
  /** The channel's name (metrics `channel` label, logs, outbox). */
  channel: string
  policy: DeliveryPolicy
  /** Where jobs wait until delivered; null: not kept across restarts. */
  outbox: Outbox | null
  /** One attempt. Throws {@link RetryableError} for another attempt, anything else to give up. */
  send: (payload: P, job: OutboxJob<P>) => Promise<void>
  log: Logger
  telemetry?: Telemetry | undefined
  /** Told of each job's end (webhook deliveries are counted on their own too). */
  onOutcome?: ((delivered: boolean) => void) | undefined
}

/**
 * Delivers one channel's messages: each one kept in the outbox until it is delivered or given up,
 * attempted through the channel's rate-limited queue (p-queue, `intervalCap` per `interval`), retried
 * by p-retry with exponential back-off and jitter, waiting at least what `Retry-After` asks. A
 * channel's waits hold no slot of its queue and nothing of another channel's. `close()` ends the
 * waits and leaves unfinished jobs in the outbox for {@link resume} after the restart.
 */
export class ChannelDelivery<P> {
  readonly #options: ChannelDeliveryOptions<P>
  readonly #queue: PQueue
  readonly #running = new Set<Promise<void>>()
  readonly #abort = new AbortController()
  readonly #telemetry: Telemetry

  constructor (options: ChannelDeliveryOptions<P>) {
    this.#options = options
    this.#telemetry = options.telemetry ?? NO_TELEMETRY
    const { perInterval, rateIntervalMs } = options.policy
    this.#queue = new PQueue(perInterval === null ? { concurrency: 2 } : { concurrency: 2, intervalCap: perInterval, interval: rateIntervalMs, strict: true })
  }

  /** Deliver `payload` in the background; `id` is its delivery id (a new one by default). */
  enqueue (event: string, payload: P, id: string = randomUUID()): void {
    const job: OutboxJob<P> = { id, channel: this.#options.channel, event, payload, createdAt: new Date().toISOString() }
    this.#track(this.#keep(job).then(() => this.#run(job)))
  }

  /** Deliver jobs left in the outbox by the previous run (this channel's own). */
  resume (jobs: ReadonlyArray<OutboxJob<P>>): void {
    for (const job of jobs) this.#track(this.#run(job))
  }

  /** Resolve once every job so far was delivered or given up. */
  async flush (): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running])
  }

  /** Stop waiting: attempts in flight end, the rest stay in the outbox. */
  async close (): Promise<void> {
    this.#abort.abort(new Error('host stopping'))
    this.#queue.clear()
    await this.flush()
  }

  #track (run: Promise<void>): void {
    const tracked = run.finally(() => this.#running.delete(tracked))
    this.#running.add(tracked)
  }

  async #keep (job: OutboxJob<P>): Promise<void> {
    await this.#options.outbox?.add(job).catch((err: Error) => {
      // Delivered all the same; only a restart in between would lose it.
      this.#options.log.warn({ channel: job.channel, delivery: job.id, err: { message: err.message } }, 'could not keep a delivery in the outbox')
    })
  }

  async #run (job: OutboxJob<P>): Promise<void> {
    const { policy, log, channel } = this.#options
    const signal = this.#abort.signal
    if (signal.aborted) return
    try {
      await pRetry(async () => await this.#queue.add(async () => await this.#options.send(job.payload, job), { signal }), {
        retries: policy.maxAttempts - 1,
        minTimeout: policy.retryBaseMs,
        maxTimeout: MAX_BACKOFF_MS,
        randomize: true,
        signal,
        shouldRetry: ({ error }) => error instanceof RetryableError,
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          const retry = error instanceof RetryableError && retriesLeft > 0
          log.debug({ channel, delivery: job.id, attempt: attemptNumber, retry, err: { message: error.message } }, 'delivery attempt failed')
          const wait = error instanceof RetryableError ? error.retryAfterMs : null
          if (retry && wait !== null && wait > 0) await sleep(Math.min(wait, MAX_BACKOFF_MS), undefined, { signal })
        }
      })
      this.#finish(job, true)
      log.debug({ channel, event: job.event, delivery: job.id }, 'alert delivered')
    } catch (err) {
      if (signal.aborted) return // kept in the outbox: resumed after the restart
      this.#finish(job, false)
      log.warn({ channel, event: job.event, delivery: job.id, err: { message: (err as Error).message } }, 'alert delivery failed; giving up')
    }
  }

  #finish (job: OutboxJob<P>, delivered: boolean): void {
    this.#telemetry.alert(job.event, this.#options.channel, delivered ? 'sent' : 'failed')
    this.#options.onOutcome?.(delivered)
    void this.#options.outbox?.remove(job).catch(() => { /* logged by the store */ })
  }
}

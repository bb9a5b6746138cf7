import type { Keyv } from 'keyv'
import PQueue from 'p-queue'

/** A message waiting to be delivered (or being retried), as kept in the store. */
export interface OutboxJob<P = unknown> {
  /** The delivery id: the same on every attempt and after a restart (webhook `X-Computewatch-Delivery`, e-mail `Message-ID`). */
  id: string
  /** The channel's name. */
  channel: string
  /** The event it tells of, for the `computewatch_alerts_total` counter. */
  event: string
  /** What the channel needs to send it again (rendered text, never a secret). */
  payload: P
  /** ISO 8601. */
  createdAt: string
}

const KEY = 'pending'
/** A job's key: one delivery id may go out on several channels (an alert to two webhooks). */
const keyOf = (job: Pick<OutboxJob, 'channel' | 'id'>): string => `${job.channel}\u0000${job.id}`
/** Jobs kept at most; beyond it the oldest are dropped (a channel down for days must not fill the store). */
export const OUTBOX_LIMIT = 1000

/**
 * Deliveries not finished yet, kept in the store (keyv namespace `outbox`) so that one still being
 * retried when the host stops is sent after the restart. Writes are serialized; at most
 * {@link OUTBOX_LIMIT} jobs are kept.
 */
export class Outbox {
  readonly #store: Keyv
  readonly #writes = new PQueue({ concurrency: 1 })
  #jobs: Map<string, OutboxJob> | null = null

  constructor (store: Keyv) {
    this.#store = store
  }

  /** Keep `job` until {@link remove}. */
  async add (job: OutboxJob): Promise<void> {
    await this.#change(jobs => {
      jobs.set(keyOf(job), job)
      for (const key of jobs.keys()) {
        if (jobs.size <= OUTBOX_LIMIT) break
        jobs.delete(key)
      }
    })
  }

  async remove (job: Pick<OutboxJob, 'channel' | 'id'>): Promise<void> {
    await this.#change(jobs => { jobs.delete(keyOf(job)) })
  }

  /** The jobs left by the previous run (or still pending), oldest first. */
  async list (): Promise<OutboxJob[]> {
    return await this.#writes.add(async () => [...(await this.#load()).values()])
  }

  async #load (): Promise<Map<string, OutboxJob>> {
    this.#jobs ??= new Map((await this.#store.get<OutboxJob[]>(KEY) ?? []).map(job => [keyOf(job), job]))
    return this.#jobs
  }

  async #change (change: (jobs: Map<string, OutboxJob>) => void): Promise<void> {
    await this.#writes.add(async () => {
      const jobs = await this.#load()
      change(jobs)
      await this.#store.set(KEY, [...jobs.values()])
    })
  }
}

import { randomBytes } from 'node:crypto'
import type { Keyv } from 'keyv'
import { ConflictError } from '../core/errors.js'
import { SingleUse } from '../core/single-use.js'
import type { PowerOnMode } from '../core/provider.js'
import type { ActionKind } from './record.js'

/** A confirmation works this long after it was issued, milliseconds. */
export const CONFIRMATION_TTL_MS = 5 * 60_000

/** What a confirmation allows: one action on one instance. */
export interface ConfirmationTarget {
  provider: string
  instanceId: string
  kind: ActionKind
  /** Power-on flavour; `gpu` for the other kinds. */
  mode: PowerOnMode
  /** A power-on's stop timer, milliseconds; absent without one. */
  stopAfterMs?: number | undefined
}

/**
 * Single-use confirmations of power actions for the status API (the page's confirm dialog): `issue()`
 * hands out a random token bound to one action on one instance; `redeem()` accepts it once, for exactly
 * that action, within {@link CONFIRMATION_TTL_MS}. Kept in the store (keyv namespace `confirmations`), so
 * a restart neither revives a used token nor loses a fresh one.
 */
export class ConfirmationStore {
  readonly #store: Keyv
  readonly #redeemed: SingleUse

  constructor (store: Keyv) {
    this.#store = store
    this.#redeemed = new SingleUse(store, CONFIRMATION_TTL_MS)
  }

  /** A new token for `target`. */
  async issue (target: ConfirmationTarget): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(18).toString('base64url')
    await this.#store.set(`token:${token}`, target, CONFIRMATION_TTL_MS)
    return { token, expiresAt: new Date(Date.now() + CONFIRMATION_TTL_MS) }
  }

  /**
   * Use `token` for `target`.
   * @throws ConflictError (409) when the token is unknown, expired, used already, or was issued for
   *   another action or instance; nothing is done then.
   */
  async redeem (token: string, target: ConfirmationTarget): Promise<void> {
    const issued = await this.#store.get<ConfirmationTarget>(`token:${token}`)
    if (issued === undefined) {
      if (await this.#redeemed.used(token)) throw used()
      throw new ConflictError('unknown or expired confirmation: ask for a new one (POST …/confirmations)')
    }
    if (issued.provider !== target.provider || issued.instanceId !== target.instanceId || issued.kind !== target.kind || issued.mode !== target.mode ||
      (issued.stopAfterMs ?? null) !== (target.stopAfterMs ?? null)) {
      const timer = issued.stopAfterMs !== undefined ? ` with a stop timer of ${Math.round(issued.stopAfterMs / 60_000)} min` : ''
      throw new ConflictError(`this confirmation is for ${issued.kind}${issued.kind === 'power-on' ? ` (${issued.mode})` : ''}${timer} of ${issued.provider}/${issued.instanceId}, not for this request`)
    }
    if (!await this.#redeemed.claim(token)) throw used()
    await this.#store.delete(`token:${token}`)
  }
}

function used (): ConflictError {
  return new ConflictError('this confirmation was used already; nothing was done again: ask for a new one if you mean it')
}

/**
 * The shapes the page reads from the status API: the host's own types (type-only, and the pure checks
 * of core/instance and core/verbs that esbuild bundles), and the answers of the routes only the page uses.
 */

import type { ActionKind } from '../actions/record.js'
import type { PowerOnMode } from '../core/provider.js'

export type { Instance, InstanceState } from '../core/instance.js'
export { INSTANCE_STATES as STATES, hasIdleGpus } from '../core/instance.js'
export type { ProviderStatus, Snapshot } from '../core/snapshot.js'
export type { PowerOnMode, ProviderCapabilities as Capabilities } from '../core/provider.js'
export { stateFits, supports, type Verb } from '../core/verbs.js'
export type { ActionKind, ActionRecord } from '../actions/record.js'

export interface Me { authenticated: boolean; keyRequired: boolean; name: string | null; anonymous: boolean; scopes: string[]; control: boolean }

/** `GET /api/v1/instances/{provider}/{id}/history` (the fields the page shows). */
export interface History {
  need: number
  observedSeconds: number
  available: number | null
  /** 7 weekdays (Monday first) × 24 hours: the fraction of observed time with enough idle GPUs, null where never observed. */
  week: Array<Array<number | null>>
  bestHours: { from: number; to: number } | null
}

export interface Confirmation { token: string; action: ActionKind; mode: PowerOnMode; text: string; expiresAt: string }

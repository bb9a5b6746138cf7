import type { ActionService } from '../actions/service.js'
import type { AlertsConfig } from '../config/schema.js'
import type { Aggregator } from '../core/aggregator.js'
import type { Instance } from '../core/instance.js'
import type { Logger } from '../core/logger.js'
import type { Snapshot } from '../core/snapshot.js'
import type { Language } from '../present/i18n.js'
import type { Alert, Texts } from '../notify/alert.js'
import type { WatchList } from './watches.js'

/** What the engine remembers between snapshots (and restarts), in the keyv namespace `alerts`. */
export interface AlertState {
  /** Once-only alerts already sent (release and expiry ladder points): key → when. */
  fired: Record<string, string>
  /** Per provider entry: failed polls in a row (counted by `lastErrorAt`), and whether "failing" was announced. */
  providers: Record<string, { lastErrorAt: string | null; failures: number; alerted: boolean }>
  /** Per instance that went offline: since when it is offline (or back online), and whether that was announced. */
  presence: Record<string, { kind: 'offline' | 'online'; since: string; alerted: boolean }>
  /** Per instance: the last automatic keep-alive attempt (for the cooldown). */
  keepAlive: Record<string, string>
}

/** A state with an empty part for every key the rules declare they own. */
export function emptyState (rules: ReadonlyArray<{ state: ReadonlyArray<keyof AlertState> }>): AlertState {
  return Object.fromEntries(rules.flatMap(r => r.state).map(k => [k, {}])) as unknown as AlertState
}

/** What every rule works with during one evaluation. */
export interface RuleContext {
  now: Date
  snapshot: Snapshot
  state: AlertState
  config: AlertsConfig
  /** Provider entries whose latest poll failed: their instances raise no alerts (their data is stale). */
  failing: ReadonlySet<string>
  aggregator: Aggregator
  actions: ActionService
  watches: WatchList
  /** Per-entry keep-alive settings (`providers[].keepAlive`) of entries that enabled it. */
  keepAlive: ReadonlyMap<string, { beforeHours: number }>
  log: Logger
  /** Is this provider entry (or instance of it) muted right now? */
  muted (providerId: string, instanceId?: string): boolean
  /** Raise an alert (id and time are added). */
  emit (alert: Omit<Alert, 'id' | 'at'>): void
  /** A message in both languages; `args` may depend on the language (durations, times). */
  text (key: string, args: (language: Language) => Record<string, unknown>): Texts
  /** Store the state now (before an action that must never be repeated after a crash). */
  persist (): Promise<void>
  /** Remember that an action started by a rule should be announced when it ends. */
  follow (actionId: string, onEnd: FollowUp): void
  /** Time zone of absolute times in texts. */
  timeZone: string | null
}

/** What to say when an action a rule started has ended. */
export type FollowUp = (record: import('../actions/record.js').ActionRecord) => void | Promise<void>

/** `lab/2dee4c9145-b0f2fdc8`. */
export const key = (i: Pick<Instance, 'provider' | 'id'>): string => `${i.provider}/${i.id}`

export const HOUR_MS = 3600_000

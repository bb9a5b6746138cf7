import type { ActionService } from '../actions/service.js'
import type { AlertsConfig } from '../config/schema.js'
import type { Aggregator } from '../core/aggregator.js'
import type { Instance } from '../core/instance.js'
import type { Logger } from '../core/logger.js'
import type { Snapshot } from '../core/snapshot.js'
import type { Language } from '../present/i18n.js'
import type { Alert, Texts } from '../notify/alert.js'
import type { WatchList } from './watches.js'
import type { Budget } from '../money/budget.js'
import type { CostLedger } from '../money/ledger.js'

/**
 * What the engine remembers between snapshots (and restarts) across entries, in the keyv namespace
 * `alerts` under `state`. Its size grows with the entries, not the instances.
 */
export interface AlertState {
  /** Per provider entry: failed polls in a row (counted by `lastErrorAt`), and whether "failing" was announced. */
  providers: Record<string, { lastErrorAt: string | null; failures: number; alerted: boolean }>
  /** Budgets announced as reached: `<scope>@<YYYY-MM>` → when (this month's only). */
  budgets: Record<string, string>
  /** The daily cost summary: `sent` → the day it was last sent (`YYYY-MM-DD`). */
  daily: Record<string, string>
}

/**
 * What the engine remembers of ONE entry's instances, under `state:<entry id>`: evaluating a poll of one
 * entry reads and writes only its own part.
 */
export interface EntryAlertState {
  /** Once-only alerts already sent (release and expiry ladder points): `<ladder>:<instance id>@<deadline>:<hours>` → when. */
  fired: Record<string, string>
  /** Per instance id that went offline: since when it is offline (or back online), and whether that was announced. */
  presence: Record<string, { kind: 'offline' | 'online'; since: string; alerted: boolean }>
  /** Per instance id: the last automatic keep-alive attempt (for the cooldown). */
  keepAlive: Record<string, string>
}

/** A state with an empty part for every key the rules declare they own. */
export function emptyState (rules: ReadonlyArray<{ state: ReadonlyArray<keyof AlertState> }>): AlertState {
  return emptyParts(rules.flatMap(r => r.state)) as unknown as AlertState
}

/** An entry's state with an empty part for every key the rules declare they own per entry. */
export function emptyEntryState (rules: ReadonlyArray<{ entryState?: ReadonlyArray<keyof EntryAlertState> | undefined }>): EntryAlertState {
  return emptyParts(rules.flatMap(r => r.entryState ?? [])) as unknown as EntryAlertState
}

const emptyParts = (keys: readonly string[]): Record<string, object> => Object.fromEntries(keys.map(k => [k, {}]))

/** What every rule works with during one evaluation. */
export interface RuleContext {
  now: Date
  snapshot: Snapshot
  /** The state across entries. */
  state: AlertState
  config: AlertsConfig
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
  /** Time zone of absolute times in texts. */
  timeZone: string | null
  /** The monthly budgets; absent without a ledger. */
  budget?: Budget | undefined
  /** The running cost observed (`src/money/ledger.ts`); absent in tests of other rules. */
  ledger?: CostLedger | undefined
}

/**
 * What a rule works with for ONE entry whose poll finished successfully: its instances and its own part
 * of the state. A failing entry is not evaluated (its data is stale).
 */
export interface EntryRuleContext extends RuleContext {
  entry: { id: string; type: string }
  /** The entry's instances, as the view shows them. */
  instances: readonly Instance[]
  /** One of the entry's instances by id, O(1). */
  find (instanceId: string): Instance | undefined
  /** The entry's part of the state. */
  local: EntryAlertState
}

export const HOUR_MS = 3600_000

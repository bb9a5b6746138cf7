import type { SchemaObject } from 'ajv'
import type { ActionRecord } from '../actions/record.js'
import type { TimerEvent } from '../actions/timers.js'
import type { MarketEvent } from '../money/market.js'
import type { AlertRuleDeclaration, AlertsConfig } from '../config/schema.js'
import type { Aggregator } from '../core/aggregator.js'
import type { Language } from '../present/i18n.js'
import type { Alert, Texts } from '../notify/alert.js'
import type { AlertState, EntryAlertState, EntryRuleContext, RuleContext } from './context.js'
import type { WatchList } from './watches.js'

/** What a rule can do when an action has finished or a stop timer did something. */
export interface ActionContext {
  aggregator: Aggregator
  /** The GPU watches (an automatic watch ends once its power-on succeeded). */
  watches: WatchList
  /** `alerts`, with the rules' settings. */
  config: AlertsConfig
  /** Is this provider entry (or instance of it) muted right now? */
  muted (providerId: string, instanceId?: string): boolean
  now (): Date
  /** Time zone of absolute times in texts. */
  timeZone: string | null
  emit (alert: Omit<Alert, 'id' | 'at'>): void
  text (key: string, args: (language: Language) => Record<string, unknown>): Texts
}

/**
 * An alert rule: the one place its name, events, settings and state are declared. The configuration
 * builds `alerts` (settings with defaults, `chatIds` keys) and the webhook event list from the rules;
 * the engine runs them in registry order (`src/alerts/rules/index.ts`).
 */
export interface AlertRuleDefinition extends AlertRuleDeclaration {
  /** The keys of the stored state across entries this rule owns (initialized empty). */
  state: ReadonlyArray<keyof AlertState>
  /** The keys of each entry's stored state this rule owns (initialized empty). */
  entryState?: ReadonlyArray<keyof EntryAlertState>
  /** On every new snapshot, over the entries' statuses: O(entries), never O(instances). */
  evaluate? (ctx: RuleContext): void | Promise<void>
  /** For each entry whose poll succeeded: over that entry's instances only. */
  evaluateEntry? (ctx: EntryRuleContext): void | Promise<void>
  /** When a power action ended (succeeded or failed). */
  /**
   * When an action ended — on whichever host finished it (after a takeover, the new leader reconciles
   * the old one's actions): what a rule announces about an action it started belongs here, keyed on the
   * record's actor, not in memory.
   */
  actionFinished? (record: ActionRecord, ctx: ActionContext): void | Promise<void>
  /** When a stop timer warned, powered off, or failed (`src/actions/timers.ts`). */
  timerEvent? (event: TimerEvent, ctx: ActionContext): void
  /** When a watched GPU model became available on a provider's market (`src/money/market.ts`). */
  marketEvent? (event: MarketEvent, ctx: ActionContext): void
}

/**
 * Declare a rule whose settings have the type `C`: every key of `C` has a schema in `config`, and
 * `evaluate` gets them typed. The settings were validated against those schemas when the file was loaded.
 */
export function defineRule<C extends object = Record<never, never>> (rule: Omit<AlertRuleDefinition, 'evaluate' | 'evaluateEntry' | 'config'> & {
  config?: { readonly [K in keyof C]-?: SchemaObject }
  evaluate? (ctx: RuleContext, settings: C): void | Promise<void>
  evaluateEntry? (ctx: EntryRuleContext, settings: C): void | Promise<void>
}): AlertRuleDefinition {
  const { evaluate, evaluateEntry, ...declaration } = rule
  return {
    ...declaration,
    ...(evaluate ? { evaluate: (ctx: RuleContext) => evaluate(ctx, ctx.config as unknown as C) } : {}),
    ...(evaluateEntry ? { evaluateEntry: (ctx: EntryRuleContext) => evaluateEntry(ctx, ctx.config as unknown as C) } : {})
  }
}

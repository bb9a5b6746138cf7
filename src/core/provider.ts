import type { AxiosInstance } from 'axios'
import type { Keyv } from 'keyv'
import type { SchemaObject } from 'ajv'
import type { InstanceData } from './instance.js'
import type { LoginOutcome } from './telemetry.js'
import type { Logger } from './logger.js'
import type { SecretRegistry } from './secrets.js'

/**
 * Version of the provider contract (this file and `InstanceData`). A plugin declares the version it
 * was written for in `hostApiVersion`; the host loads it only when that equals this number.
 */
export const HOST_API_VERSION = 1

/** Plain account facts: scalars, or one level of named scalars (e.g. `quota: { servers: 3 }`). */
export type AccountDetails = Record<string, AccountValue | Record<string, AccountValue>>
export type AccountValue = string | number | boolean | null

/** Power-on flavour: with the instance's GPUs, or AutoDL's cheap no-GPU mode (无卡模式). */
export type PowerOnMode = 'gpu' | 'no_gpu'

/** Options every provider call accepts. */
export interface CallOptions {
  /** Aborts the call; the aggregator passes one with its poll timeout. */
  signal?: AbortSignal | undefined
  /**
   * Epoch milliseconds by which a list should return what it has (the aggregator passes 80% of the poll
   * budget): a provider that reads live state per instance stops starting such reads then and reports
   * the last known state with `stale: true`, rather than losing the whole poll to the timeout.
   */
  deadline?: number | undefined
}

/** What a provider type can do. Published in `ProviderStatus.capabilities` for the API and the bot. */
export interface ProviderCapabilities {
  /** `powerOn()` is implemented. */
  powerOn: boolean
  /** `powerOff()` is implemented. */
  powerOff: boolean
  /** `powerOn(id, { mode: 'no_gpu' })` is available (AutoDL 无卡模式). */
  noGpuMode: boolean
  /** Seconds after a stop at which the provider releases (wipes) an instance; null if it never does. */
  releaseAfterStopSeconds: number | null
}

/**
 * One configured account of one provider type. The host calls `listInstances()` on every poll and
 * the power verbs on a user's request. Every method rejects with a `HostError` subclass
 * (`ProviderAuthError`, `ProviderApiError`, `ProviderHttpError`, `ProviderResponseError`,
 * `NotSupportedError`), never with a raw library error, and never with a secret in the message.
 */
export interface Provider {
  /** What this account can do. */
  readonly capabilities: ProviderCapabilities
  /**
   * Make sure credentials are ready: reuse a cached token or log in. Called by the host before the
   * first poll and again after a poll failed. Providers re-authenticate by themselves on expiry.
   * @throws ProviderAuthError when the credentials are rejected or a login is not possible now.
   */
  authenticate (options?: CallOptions): Promise<void>
  /** Every instance of the account, all pages. Secrets (passwords, tokens, ssh commands) are dropped. */
  listInstances (options?: CallOptions): Promise<InstanceData[]>
  /**
   * Ask the provider to power the instance on. Resolves when the provider has accepted the request,
   * not when the instance is running. Never retried blindly when the answer is lost.
   * @throws NotSupportedError when `capabilities.powerOn` (or `noGpuMode` for `no_gpu`) is false.
   */
  powerOn (instanceId: string, options: CallOptions & { mode: PowerOnMode }): Promise<void>
  /** Ask the provider to power the instance off. Resolves when accepted. */
  powerOff (instanceId: string, options?: CallOptions): Promise<void>
  /** Account facts gathered by the latest successful `listInstances()` (balance, quota), or null. */
  accountDetails? (): AccountDetails | null
  /**
   * Instances the latest `listInstances()` skipped because the provider sent them malformed (the
   * provider logs each with its field); shown as `warnings` in the entry's status. Absent: 0.
   */
  skippedInstances? (): number
  /** Release sockets and timers; called when the entry is removed or the host stops. */
  close? (): Promise<void>
  /** The provider's GPU market, read-only (AutoDL); absent where there is none. Never rents anything. */
  market?: MarketReader
}

/** GPUs of one model on a provider's market, over the regions asked for. Counts are whole GPUs. */
export interface MarketGpuCount {
  /** GPU model as the market names it, e.g. `RTX 4090`. */
  gpu: string
  idle: number
  total: number
}

/** A host machine on the market with GPUs of the model asked for. */
export interface MarketHost {
  machineId: string
  /** Display name, e.g. `063机`. */
  name: string
  /** Region name, e.g. `西北B区`, and the provider's region code, e.g. `west-B`. */
  region: string | null
  regionCode: string | null
  gpu: string
  /** GPUs idle on the host now. */
  idle: number
  /** Price of one GPU per hour in yuan; null when not listed. */
  pricePerGpuHour: number | null
}

/**
 * A provider's GPU market, read-only: what could be rented where, never renting it. `regions` are the
 * provider's region codes (AutoDL `region_sign`, e.g. `west-B`).
 */
export interface MarketReader {
  /** Idle and total GPUs per model over `regions` together. */
  gpuCounts (regions: readonly string[], options?: CallOptions): Promise<MarketGpuCount[]>
  /** Up to `limit` hosts in `regions` with at least `minIdle` idle GPUs of model `gpu`. */
  hosts (query: { regions: readonly string[]; gpu: string; minIdle: number; limit: number }, options?: CallOptions): Promise<MarketHost[]>
}

/** What the host hands a provider when it creates one. */
export interface ProviderDeps {
  /** The config entry's id, e.g. `lab`. */
  id: string
  /** pino child logger bound to `{ provider: id, type }`. */
  log: Logger
  /** keyv namespace of its own (`provider:<id>`): tokens and session state that survive a restart. */
  store: Keyv
  /** axios instance with the entry's proxy, a default timeout and safe retries (idempotent requests only). */
  http: AxiosInstance
  /** Register every secret the provider obtains at run time (tokens) so logs and messages are scrubbed of it. */
  secrets: SecretRegistry
  /**
   * Count one login and its outcome (`computewatch_provider_logins_total`). Hand it to
   * {@link TokenSession} as `onLogin`, which calls it; a provider that logs in by other means calls it itself.
   */
  onLogin?: ((outcome: LoginOutcome) => void) | undefined
}

/**
 * True when a provider can keep a stopped instance from being released: power on without GPU, power
 * off, and a release rule to reset (AutoDL). The one predicate the bot, the API, the alerts and the
 * config check all use.
 */
export function canKeepAlive (caps: ProviderCapabilities | undefined): boolean {
  return caps !== undefined && caps.powerOn && caps.powerOff && caps.noGpuMode && caps.releaseAfterStopSeconds !== null
}

/**
 * JSON schema of a provider's options, tied to their type `R`: an object schema that forbids unknown
 * keys and describes every key of `R` (a key of `R` missing from `properties` is a type error).
 * ajv-errors `errorMessage` is available.
 */
export type ConfigSchema<R> = SchemaObject & {
  type: 'object'
  additionalProperties: false
  properties: { readonly [K in keyof R]-?: SchemaObject }
}

/** What a user gives in a chat to add an account of their own (the bot's `/user` and `/password`). */
export interface ChatLogin {
  /** Login phone number, digits only. */
  phone: string
  /** Country code, e.g. `+86`. */
  phoneArea: string
  /** The password as {@link ChatAccounts.hashPassword} made it; the plain text is never kept. */
  passwordHash: string
  /** Where the provider is (`telegram.accounts.baseUrl`); null for the provider's default. */
  baseUrl: string | null
}

/**
 * A provider type whose accounts users can add from the chat, with a phone number and a password
 * (seed 000's `/user` and `/password` for AutoDL). The account becomes an entry of this type.
 * @typeParam R - the type's raw options (what {@link ChatAccounts.options} returns goes through `normalizeConfig`).
 */
export interface ChatAccounts<R> {
  /** The one-way form of the password that is stored and logged in with (AutoDL: SHA-1 hex). */
  hashPassword (password: string): string
  /** The entry's options for this login. */
  options (login: ChatLogin): R
}

/** What a provider command gets besides its provider: the parsed options, where to print, and a confirmation. */
export interface CommandContext {
  /** The entry the command runs against. */
  entryId: string
  /** The command's own options, by commander's camelCase names (`--file` → `file`). */
  options: Readonly<Record<string, unknown>>
  /** Where results go (stdout). */
  output: NodeJS.WritableStream
  /**
   * Ask before something that costs money or destroys state (true when the user said yes, or with `--yes`).
   * @throws ConfigError when there is no terminal to ask and `--yes` was not given.
   */
  confirm (summary: string): Promise<boolean>
}

/**
 * A command of a provider type's own, run as `computewatch <type> <name> --provider <id> …` against a
 * configured entry (computeshare's `create-sandbox`). The CLI finds it in the definition.
 * @typeParam P - the provider the definition's `create()` returns.
 */
export interface ProviderCommand<P extends Provider = Provider> {
  name: string
  /** One line for `--help`. */
  description: string
  /** Options besides `--provider`, `--config` and `--yes`, in commander's syntax (`--file <spec.json>`). */
  options?: ReadonlyArray<{ flags: string; description: string; required?: boolean }>
  /**
   * Do it. Resolves with the process exit code.
   * @throws ConfigError for bad input (exit 2); provider errors as they come (exit 1).
   */
  run (provider: P, context: CommandContext): Promise<number>
}

/**
 * A provider type: a built-in one (listed in `providers/index.ts`) or a plugin loaded by config.
 * @typeParam R - the entry's options as written in the config file (checked by `configSchema`).
 * @typeParam C - the options after `normalizeConfig` (what `create()` gets); `R` without it.
 * @typeParam P - the provider `create()` returns (its commands get that type).
 */
export interface ProviderDefinition<R extends object = Record<string, unknown>, C = R, P extends Provider = Provider> {
  /** Lowercase slug used as the config `type`, e.g. `autodl`. */
  type: string
  /** The {@link HOST_API_VERSION} the definition was written for. Required for plugins loaded by config. */
  hostApiVersion?: number
  /** One line for `--help` and the README. */
  description: string
  /** JSON schema of the entry's own options (without the common `id`, `type`, `proxy`, `keepAlive`). */
  configSchema: ConfigSchema<R>
  /** Turn validated options into their kept form (e.g. hash a password), before anything else sees them. */
  normalizeConfig? (options: R): C
  /** Build one account. Must not do I/O; the host calls `authenticate()` later. */
  create (options: C, deps: ProviderDeps): P
  /**
   * Field names whose values are secrets wherever they appear in a logged object (e.g. AutoDL's
   * `root_password`): redacted by the logger. Names like `password`, `token`, `apiKey`, `secret` and
   * `authorization` always are.
   */
  secretFields?: readonly string[]
  /** Users may add accounts of this type from the chat (phone and password). */
  chatAccounts?: ChatAccounts<R>
  /** Commands of this type's own (`computewatch <type> <name>`). */
  commands?: ReadonlyArray<ProviderCommand<P>>
  /**
   * How often an entry of this type may be polled, seconds: `defaultSeconds` replaces the global
   * `pollIntervalSeconds` for entries that set none (a provider that must be asked rarely), and an
   * entry's own `pollIntervalSeconds` below `minimumSeconds` is a config error. `reason` says why, for
   * that error and the README.
   */
  polling?: { defaultSeconds?: number; minimumSeconds: number; reason: string }
}

/** A definition of any type, as registries and loaders hold them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProviderDefinition = ProviderDefinition<any, any, any>

/**
 * Identity helper that gives a definition literal its types: `R` and `C` come from `normalizeConfig`,
 * `P` from `create`, and `configSchema` is checked against `R`.
 */
export function defineProvider<R extends object, C = R, P extends Provider = Provider> (definition: ProviderDefinition<R, C, P>): ProviderDefinition<R, C, P> {
  return definition
}

import type { AxiosInstance } from 'axios'
import type { Keyv } from 'keyv'
import type { SchemaObject } from 'ajv'
import type { InstanceData } from './instance.js'
import type { Logger } from './logger.js'
import type { SecretRegistry } from './secrets.js'
import type { AccountDetails } from './snapshot.js'

/**
 * Version of the provider contract (this file and `InstanceData`). A plugin declares the version it
 * was written for in `hostApiVersion`; the host loads it only when that equals this number.
 */
export const HOST_API_VERSION = 1

/** Power-on flavour: with the instance's GPUs, or AutoDL's cheap no-GPU mode (无卡模式). */
export type PowerOnMode = 'gpu' | 'no_gpu'

/** Options every provider call accepts. */
export interface CallOptions {
  /** Aborts the call; the aggregator passes one with its poll timeout. */
  signal?: AbortSignal | undefined
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
  /** Release sockets and timers; called when the entry is removed or the host stops. */
  close? (): Promise<void>
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
}

/**
 * A provider type. Built-in types are listed in `providers/index.ts`.
 * @typeParam C - the entry's options after validation (and `normalizeConfig`).
 */
export interface ProviderDefinition<C extends object = object> {
  /** Lowercase slug used as the config `type`, e.g. `autodl`. */
  type: string
  /** The {@link HOST_API_VERSION} the definition was written for. Required for plugins loaded by config. */
  hostApiVersion?: number
  /** One line for `--help` and the README. */
  description: string
  /**
   * JSON schema of the entry's own options (without the common `id`, `type`, `proxy`).
   * Must set `additionalProperties: false`; ajv-errors `errorMessage` is available.
   */
  configSchema: SchemaObject
  /** Turn validated options into their kept form (e.g. hash a password), before anything else sees them. */
  normalizeConfig? (options: C): C
  /** Build one account. Must not do I/O; the host calls `authenticate()` later. */
  create (options: C, deps: ProviderDeps): Provider
}

/** Identity helper that gives a definition literal its types. */
export function defineProvider<C extends object> (definition: ProviderDefinition<C>): ProviderDefinition<C> {
  return definition
}

import type { AggregatorEntry } from './aggregator.js'
import { ProviderUnavailableError } from './errors.js'
import { createHttpClient } from './http.js'
import type { Logger } from './logger.js'
import type { AnyProviderDefinition, Provider, ProviderDefinition } from './provider.js'
import type { SecretRegistry } from './secrets.js'
import type { StateStore } from './store.js'
import type { Telemetry } from './telemetry.js'

export interface EntrySpec {
  id: string
  /** Provider type (the definition's `type`). */
  type: string
  /** Validated, normalized options of the type. */
  options: object
  proxy: string | null
  /** Seconds between two polls of this entry; absent: the aggregator's default. */
  pollIntervalSeconds?: number | undefined
}

export interface EntryDeps {
  log: Logger
  store: StateStore
  secrets: SecretRegistry
  /** Per-request timeout of the entry's HTTP client, milliseconds. */
  timeoutMs: number
  /** Largest provider answer read, bytes (`limits.maxResponseMB`). */
  maxResponseBytes?: number | undefined
  /** Where logins are counted (default: nowhere). */
  telemetry?: Telemetry | undefined
}

/**
 * Build one provider entry: its own logger (`{provider, type}`), keyv namespace (`provider:<id>`) and
 * HTTP client (with the entry's proxy). A definition whose `create()` throws gives an entry that
 * reports the failure on every poll instead of vanishing; `failure` does the same for an entry that
 * could not even be loaded (a plugin).
 */
export function createEntry (definition: AnyProviderDefinition | null, spec: EntrySpec, deps: EntryDeps, failure?: string): AggregatorEntry {
  const log = entryLog(spec, deps)
  let provider: Provider
  if (definition === null || failure !== undefined) {
    provider = brokenProvider(failure ?? `provider type "${spec.type}" is not available`)
  } else {
    try {
      provider = createProvider(definition, spec, deps, log)
    } catch (err) {
      log.error({ err: { message: (err as Error).message } }, 'provider could not be created')
      provider = brokenProvider(`provider "${spec.id}" (${spec.type}) could not be created: ${(err as Error).message}`)
    }
  }
  return { id: spec.id, type: spec.type, provider, log, pollIntervalMs: spec.pollIntervalSeconds === undefined ? undefined : spec.pollIntervalSeconds * 1000 }
}

/**
 * The provider of one entry, built through its definition with the entry's own logger, keyv namespace
 * (`provider:<id>`) and HTTP client (the entry's proxy).
 * @throws whatever the definition's `create()` throws.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function createProvider<P extends Provider> (definition: Pick<ProviderDefinition<any, any, P>, 'create'>, spec: EntrySpec, deps: EntryDeps, log = entryLog(spec, deps)): P {
  return definition.create(spec.options, {
    id: spec.id,
    log,
    store: deps.store.namespace(`provider:${spec.id}`),
    http: createHttpClient({ proxy: spec.proxy, timeoutMs: deps.timeoutMs, maxResponseBytes: deps.maxResponseBytes }),
    secrets: deps.secrets,
    onLogin: deps.telemetry === undefined ? undefined : outcome => deps.telemetry!.login(spec, outcome)
  })
}

function entryLog (spec: EntrySpec, deps: EntryDeps): Logger {
  return deps.log.child({ provider: spec.id, type: spec.type })
}

/** A provider that reports why it could not be created or loaded, so the entry shows as failing instead of vanishing. */
export function brokenProvider (message: string): Provider {
  const fail = async (): Promise<never> => { throw new ProviderUnavailableError(message) }
  return {
    capabilities: { powerOn: false, powerOff: false, noGpuMode: false, releaseAfterStopSeconds: null },
    authenticate: fail,
    listInstances: fail,
    powerOn: fail,
    powerOff: fail
  }
}

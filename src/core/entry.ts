import type { AggregatorEntry } from './aggregator.js'
import { HostError } from './errors.js'
import { createHttpClient } from './http.js'
import type { Logger } from './logger.js'
import type { Provider, ProviderDefinition } from './provider.js'
import type { SecretRegistry } from './secrets.js'
import type { StateStore } from './store.js'

export interface EntrySpec {
  id: string
  /** Provider type (the definition's `type`). */
  type: string
  /** Validated, normalized options of the type. */
  options: object
  proxy: string | null
  /** Telegram user who alone may see it. */
  owner?: number | undefined
}

export interface EntryDeps {
  log: Logger
  store: StateStore
  secrets: SecretRegistry
  /** Per-request timeout of the entry's HTTP client, milliseconds. */
  timeoutMs: number
}

/**
 * Build one provider entry: its own logger (`{provider, type}`), keyv namespace (`provider:<id>`) and
 * HTTP client (with the entry's proxy). A definition whose `create()` throws gives an entry that
 * reports the failure on every poll instead of vanishing; `failure` does the same for an entry that
 * could not even be loaded (a plugin).
 */
export function createEntry (definition: ProviderDefinition | null, spec: EntrySpec, deps: EntryDeps, failure?: string): AggregatorEntry {
  const log = deps.log.child({ provider: spec.id, type: spec.type })
  let provider: Provider
  if (definition === null || failure !== undefined) {
    provider = brokenProvider(failure ?? `provider type "${spec.type}" is not available`)
  } else {
    try {
      provider = definition.create(spec.options, {
        id: spec.id,
        log,
        store: deps.store.namespace(`provider:${spec.id}`),
        http: createHttpClient({ proxy: spec.proxy, timeoutMs: deps.timeoutMs }),
        secrets: deps.secrets
      })
    } catch (err) {
      log.error({ err: { message: (err as Error).message } }, 'provider could not be created')
      provider = brokenProvider(`provider "${spec.id}" (${spec.type}) could not be created: ${(err as Error).message}`)
    }
  }
  return { id: spec.id, type: spec.type, provider, log, owner: spec.owner }
}

/** A provider that reports why it could not be created or loaded, so the entry shows as failing instead of vanishing. */
export function brokenProvider (message: string): Provider {
  const fail = async (): Promise<never> => { throw new HostError(message) }
  return {
    capabilities: { powerOn: false, powerOff: false, noGpuMode: false, releaseAfterStopSeconds: null },
    authenticate: fail,
    listInstances: fail,
    powerOn: fail,
    powerOff: fail
  }
}

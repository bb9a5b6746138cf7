/**
 * Public API of computewatch for provider plugins and embedders. Everything a third-party provider
 * needs is here: the interface, the definition helper, the normalized instance and the error classes.
 */
export { defineProvider, HOST_API_VERSION } from './core/provider.js'
export type { Provider, ProviderDefinition, ProviderDeps, ProviderCapabilities, PowerOnMode, CallOptions } from './core/provider.js'
export { INSTANCE_STATES, instanceSchema, hasIdleGpus } from './core/instance.js'
export type { Instance, InstanceData, InstanceGpu, InstanceState } from './core/instance.js'
export type { ProviderStatus, Snapshot, Viewer } from './core/snapshot.js'
export {
  HostError, ConfigError, ProviderError, ProviderAuthError, ProviderApiError, ProviderHttpError,
  ProviderTimeoutError, ProviderResponseError, NotSupportedError, NotFoundError, ERROR_CODES, isHostError
} from './core/errors.js'
export { LoginRejectedError, TokenSession, credentialId } from './core/session.js'
export { READ_ONLY, send } from './core/http.js'
export { buildHost, type Host, type HostDeps } from './app.js'
export { Aggregator, type AggregatorEntry } from './core/aggregator.js'
export { createRegistry, type ProviderRegistry } from './core/registry.js'
export { loadConfigFile, parseConfig } from './config/load.js'
export type { HostConfig } from './config/schema.js'

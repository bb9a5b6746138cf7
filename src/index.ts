/**
 * Public API of computewatch, for provider plugins and embedders. It is the ONLY module a provider
 * imports from the host — the built-in ones under `providers/` too (a test keeps it so): the provider
 * contract, the normalized instance, the error classes, the token session, the HTTP client and the
 * validation helpers. Embedders also find the host's composition here.
 */

// The provider contract.
export { defineProvider, canKeepAlive, HOST_API_VERSION } from './core/provider.js'
export type {
  AnyProviderDefinition, CallOptions, ChatAccounts, ChatLogin, CommandContext, ConfigSchema, MarketGpuCount, MarketHost, MarketReader,
  PowerOnMode, Provider, ProviderCapabilities, ProviderCommand, ProviderDefinition, ProviderDeps
} from './core/provider.js'
export { INSTANCE_STATES, METRIC_KEYS, instanceSchema, hasIdleGpus } from './core/instance.js'
export type { Instance, InstanceData, InstanceGpu, InstanceMetrics, InstanceState } from './core/instance.js'
export type { AccountDetails, AccountValue, ProviderStatus, Snapshot, Viewer } from './core/snapshot.js'

// Errors: throw these (never a raw library error, never a secret in the message).
export {
  HostError, ConfigError, ProviderError, ProviderAuthError, ProviderApiError, ProviderHttpError, ProviderTimeoutError,
  ProviderResponseError, ProviderUnavailableError, NotSupportedError, NotFoundError, UnauthorizedError, ForbiddenError,
  ConflictError, RequestValidationError, ERROR_CODES, NOT_POLLED_YET, isHostError
} from './core/errors.js'

// Tools for provider code: logins, HTTP, validation of answers and of a command's input.
export { LoginRejectedError, TokenSession, credentialId } from './core/session.js'
export type { LoginResult, TokenSessionOptions } from './core/session.js'
export type { LoginOutcome, Telemetry } from './core/telemetry.js'
export { READ_ONLY, createHttpClient, send } from './core/http.js'
export type { HttpClientOptions } from './core/http.js'
export { createCheckAjv, formatAjvErrors } from './core/validation.js'
export { PollMemo } from './core/memo.js'
export { formatOffsetTime, parseOffsetTime, shiftOffsetTime, type OffsetTime } from './core/time.js'
export { createConfigAjv } from './config/ajv.js'
export type { Logger } from './core/logger.js'
export type { SecretRegistry } from './core/secrets.js'

// The host, for embedders.
export { buildHost, type Host, type HostDeps } from './app.js'
export { Aggregator, type AggregatorEntry } from './core/aggregator.js'
export { createRegistry, type ProviderRegistry } from './core/registry.js'
export { loadConfigFile, parseConfig } from './config/load.js'
export type { HostConfig } from './config/schema.js'

/**
 * The host's error classes. Each carries a stable `code` (documented in the README's "Error codes"
 * table) and the HTTP `statusCode` the status API answers with, so Fastify serialises them as
 * `{ statusCode, code, error, message }` without a custom handler.
 *
 * Messages say what went wrong and what to fix. They never contain secrets: provider code builds
 * them from its own words, never from request headers or bodies.
 */

/** Base class of every error the host raises on purpose. */
export class HostError extends Error {
  override name = 'HostError'
  /** Stable machine-readable code, `CW_ERR_*`. */
  readonly code: string = 'CW_ERR'
  /** HTTP status the status API uses when this error reaches a response. */
  readonly statusCode: number = 500

  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** The configuration file (or a value set through the bot) is invalid. `issues` holds one line per problem. */
export class ConfigError extends HostError {
  override name = 'ConfigError'
  override readonly code = 'CW_ERR_CONFIG'
  override readonly statusCode = 400
  /** One human-readable line per problem, each starting with the JSON path, e.g. `providers[0].phone: must be a string`. */
  readonly issues: readonly string[]

  constructor (issues: readonly string[], options?: { cause?: unknown; title?: string }) {
    super(`${options?.title ?? 'invalid configuration'}:\n${issues.map(i => `  - ${i}`).join('\n')}`, options)
    this.issues = issues
  }
}

/**
 * Longest provider text the host passes on (an error message, AutoDL's `msg`), characters. Longer
 * texts are cut with `…`, so a provider answering megabytes of error reaches no log line, status,
 * webhook or chat message in full.
 */
export const MAX_PROVIDER_TEXT = 300

/** `text`, cut to `max` characters (the last one `…`) when longer. */
export function cutText (text: string, max = MAX_PROVIDER_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/**
 * Base of every failure that comes from a provider (upstream), as opposed to our own code. The message
 * is cut to {@link MAX_PROVIDER_TEXT} characters.
 */
export class ProviderError extends HostError {
  override name = 'ProviderError'
  override readonly code: string = 'CW_ERR_PROVIDER'
  override readonly statusCode: number = 502

  constructor (message: string, options?: { cause?: unknown }) {
    super(cutText(message), options)
  }
}

/** The provider rejected our credentials, or logging in is not possible right now (captcha, back-off). */
export class ProviderAuthError extends ProviderError {
  override name = 'ProviderAuthError'
  override readonly code = 'CW_ERR_PROVIDER_AUTH'
}

/**
 * The provider answered with its own error code (for AutoDL: HTTP 200 with `code` other than `Success`).
 * `providerCode` and `providerMessage` are the provider's own words, e.g. `TORecharge` / `余额不足`.
 */
export class ProviderApiError extends ProviderError {
  override name = 'ProviderApiError'
  override readonly code = 'CW_ERR_PROVIDER_API'
  readonly providerCode: string
  readonly providerMessage: string

  constructor (providerCode: string, providerMessage: string, context: string) {
    super(`${context}: ${providerCode}${providerMessage ? ` (${providerMessage})` : ''}`)
    this.providerCode = cutText(providerCode, 100)
    this.providerMessage = cutText(providerMessage)
  }
}

/** Transport failure: connection refused or reset, DNS, TLS, proxy, or an unexpected HTTP status. */
export class ProviderHttpError extends ProviderError {
  override name = 'ProviderHttpError'
  override readonly code = 'CW_ERR_PROVIDER_HTTP'
  /** The upstream HTTP status, or null when no response arrived. */
  readonly httpStatus: number | null

  constructor (message: string, httpStatus: number | null, options?: { cause?: unknown }) {
    super(message, options)
    this.httpStatus = httpStatus
  }
}

/** A provider call did not finish within its time budget. */
export class ProviderTimeoutError extends ProviderError {
  override name = 'ProviderTimeoutError'
  override readonly code = 'CW_ERR_PROVIDER_TIMEOUT'
  override readonly statusCode = 504
}

/** The provider answered something we cannot read (not JSON, missing fields, wrong types). */
export class ProviderResponseError extends ProviderError {
  override name = 'ProviderResponseError'
  override readonly code = 'CW_ERR_PROVIDER_RESPONSE'
}

/** The provider type cannot do this (e.g. power control on a read-only monitor). */
export class NotSupportedError extends HostError {
  override name = 'NotSupportedError'
  override readonly code = 'CW_ERR_NOT_SUPPORTED'
  override readonly statusCode = 501

  constructor (operation: string, providerType: string) {
    super(`${operation} is not supported by ${providerType}`)
  }
}

/** No instance (or provider entry) with this id. */
export class NotFoundError extends HostError {
  override name = 'NotFoundError'
  override readonly code = 'CW_ERR_NOT_FOUND'
  override readonly statusCode = 404
}

/** The caller did not say who they are, or with a key the host does not know (HTTP 401). */
export class UnauthorizedError extends HostError {
  override name = 'UnauthorizedError'
  override readonly code = 'CW_ERR_UNAUTHORIZED'
  override readonly statusCode = 401
}

/** A request's parameters, query or body do not match the route's schema; the message says which and what is allowed. */
export class RequestValidationError extends HostError {
  override name = 'RequestValidationError'
  override readonly code = 'CW_ERR_VALIDATION'
  override readonly statusCode = 400
}

/**
 * A provider entry that cannot run: its plugin module did not load, its options were rejected, or its
 * definition's `create()` threw. The entry stays listed and reports this on every poll.
 */
export class ProviderUnavailableError extends HostError {
  override name = 'ProviderUnavailableError'
  override readonly code = 'CW_ERR_PROVIDER_UNAVAILABLE'
  override readonly statusCode = 503
}

/** The host is at a limit of its own (e.g. open event streams); the message says which and what to do. */
export class BusyError extends HostError {
  override name = 'BusyError'
  override readonly code = 'CW_ERR_BUSY'
  override readonly statusCode = 503
}

/** The caller may not do this (missing scope, not an operator). */
export class ForbiddenError extends HostError {
  override name = 'ForbiddenError'
  override readonly code = 'CW_ERR_FORBIDDEN'
  override readonly statusCode = 403
}

/**
 * The request conflicts with the instance's state: not enough idle GPUs for a power-on with GPU, already
 * running, or another action in progress. `details` holds the numbers (e.g. `{ hostIdle, requested }`).
 */
export class ConflictError extends HostError {
  override name = 'ConflictError'
  override readonly code = 'CW_ERR_CONFLICT'
  override readonly statusCode = 409
  readonly details: Record<string, unknown>

  constructor (message: string, details: Record<string, unknown> = {}) {
    super(message)
    this.details = details
  }
}

/**
 * The state store cannot be used: a write failed (disk full, read-only, permissions — the change was
 * not kept and the request answers 503), or at start the store file is damaged or held by another host
 * (the CLI exits 2). The message names the file and says how to recover.
 */
export class StoreError extends HostError {
  override name = 'StoreError'
  override readonly code = 'CW_ERR_STORE'
  override readonly statusCode = 503
}

/**
 * Too many attempts of something limited (logins through the chat): `retryAt` says when the next one
 * is allowed, `limit` which limit was reached (`per-user`, `per-phone`).
 */
export class TooManyAttemptsError extends HostError {
  override name = 'TooManyAttemptsError'
  override readonly code = 'CW_ERR_RATE_LIMITED'
  override readonly statusCode = 429
  readonly retryAt: Date
  readonly limit: string

  constructor (message: string, retryAt: Date, limit: string) {
    super(message)
    this.retryAt = retryAt
    this.limit = limit
  }
}

/** Every error class above, by code: the catalogue the README must document (checked by a test). */
export const ERROR_CODES = [
  'CW_ERR_CONFIG',
  'CW_ERR_PROVIDER',
  'CW_ERR_PROVIDER_AUTH',
  'CW_ERR_PROVIDER_API',
  'CW_ERR_PROVIDER_HTTP',
  'CW_ERR_PROVIDER_TIMEOUT',
  'CW_ERR_PROVIDER_RESPONSE',
  'CW_ERR_PROVIDER_UNAVAILABLE',
  'CW_ERR_NOT_SUPPORTED',
  'CW_ERR_NOT_FOUND',
  'CW_ERR_UNAUTHORIZED',
  'CW_ERR_FORBIDDEN',
  'CW_ERR_CONFLICT',
  'CW_ERR_BUSY',
  'CW_ERR_VALIDATION',
  'CW_ERR_STORE',
  'CW_ERR_RATE_LIMITED',
  'CW_ERR_NOT_POLLED_YET',
  'CW_ERR_INTERNAL'
] as const

/**
 * The status code of a provider entry whose first poll has not finished (`ProviderStatus.error.code`).
 * A state, not a thrown error.
 */
export const NOT_POLLED_YET = 'CW_ERR_NOT_POLLED_YET'

/**
 * True for a host error, also one created by another copy of this package (a plugin that bundles its
 * own computewatch, or compiled and source modules side by side), where `instanceof` fails.
 */
export function isHostError (err: unknown): err is HostError {
  return err instanceof HostError ||
    (err instanceof Error && typeof (err as unknown as { code?: unknown }).code === 'string' && (err as unknown as { code: string }).code.startsWith('CW_ERR'))
}

/** `{ code, message }` of any thrown value, for status reports. Unknown errors become `CW_ERR_INTERNAL`. */
export function describeError (err: unknown): { code: string; message: string } {
  if (isHostError(err)) return { code: err.code, message: err.message }
  if (err instanceof Error) return { code: 'CW_ERR_INTERNAL', message: cutText(err.message) }
  return { code: 'CW_ERR_INTERNAL', message: cutText(String(err)) }
}

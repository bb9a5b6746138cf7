import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import axios, { type AxiosError, type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios'
import axiosRetry, { retryAfter } from 'axios-retry'
import { ProxyAgent } from 'proxy-agent'
import { ProviderHttpError, ProviderResponseError, ProviderTimeoutError } from './errors.js'

export interface HttpClientOptions {
  /** http://, https://, socks://, socks5:// … URL every request goes through; null for a direct connection. */
  proxy?: string | null | undefined
  /** Per-request timeout in milliseconds (default 30 000). */
  timeoutMs?: number | undefined
  /** Retries after a failure that is safe to retry (default 2). */
  retries?: number | undefined
  /** Base delay of the exponential back-off between retries, milliseconds (default 200). */
  retryDelayMs?: number | undefined
  /** Largest answer read, bytes (default 20 MiB); a larger one is stopped while it arrives. */
  maxResponseBytes?: number | undefined
}

/** Default of `limits.maxResponseMB`. */
export const DEFAULT_MAX_RESPONSE_MB = 20

const SAFE_METHODS = new Set(['get', 'head', 'options'])

/** axios stopped reading an answer at `maxContentLength`. */
function isTooLarge (error: AxiosError): boolean {
  return error.code === 'ERR_BAD_RESPONSE' && /maxContentLength/.test(error.message)
}

function isTransient (error: AxiosError): boolean {
  if (axios.isCancel(error) || error.code === 'ERR_CANCELED' || isTooLarge(error)) return false
  if (axiosRetry.isNetworkError(error)) return true
  const status = error.response?.status
  return status === 429 || (status !== undefined && status >= 500)
}

/**
 * Spread into a request's config to allow retries of a POST that only reads (AutoDL lists instances
 * with POST). Requests without it are retried only when their method is GET, HEAD or OPTIONS, so a
 * power request whose answer was lost is never sent twice.
 */
export const READ_ONLY: AxiosRequestConfig = { 'axios-retry': { retryCondition: isTransient } }

/**
 * Idle connections are kept this long (milliseconds): longer than the usual poll interval, so each poll
 * reuses its connection instead of a new TCP (and TLS) handshake per account; shorter than the idle
 * timeout of common servers (nginx: 75 s), so a connection is not reused just as the server drops it.
 * Node's global agent closes idle sockets after 5 s.
 */
export const IDLE_SOCKET_MS = 60_000
const direct = {
  httpAgent: new HttpAgent({ keepAlive: true, scheduling: 'lifo', timeout: IDLE_SOCKET_MS }),
  httpsAgent: new HttpsAgent({ keepAlive: true, scheduling: 'lifo', timeout: IDLE_SOCKET_MS })
}

/** A ProxyAgent for `proxy` (http, https or socks URL), usable by axios and by Telegraf. */
export function createProxyAgent (proxy: string): ProxyAgent {
  return new ProxyAgent({ getProxyForUrl: () => proxy })
}

/**
 * The axios instance handed to providers: the entry's proxy (else connections kept alive between polls,
 * {@link IDLE_SOCKET_MS}), a timeout, and retries with exponential
 * back-off for transient failures (network errors, 429, 5xx) of safe requests only; `Retry-After` is honoured.
 * HTTP 4xx responses resolve (providers interpret them); 429, 5xx and transport errors reject.
 */
export function createHttpClient (options: HttpClientOptions = {}): AxiosInstance {
  const agent = options.proxy ? createProxyAgent(options.proxy) : undefined
  const instance = axios.create({
    timeout: options.timeoutMs ?? 30_000,
    // 4xx answers resolve (providers read them); 429 and 5xx reject so that retries can see them.
    validateStatus: (status) => status < 500 && status !== 429,
    maxRedirects: 0,
    maxContentLength: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_MB * 1024 * 1024,
    ...(agent ? { httpAgent: agent, httpsAgent: agent, proxy: false } : direct)
  })
  const base = options.retryDelayMs ?? 200
  axiosRetry(instance, {
    retries: options.retries ?? 2,
    retryCondition: (error) => SAFE_METHODS.has((error.config?.method ?? 'get').toLowerCase()) && isTransient(error),
    // A 429/503 with Retry-After waits as told; otherwise exponential back-off with jitter.
    retryDelay: (count, error) => Math.max(retryAfter(error), axiosRetry.exponentialDelay(count, error, base))
  })
  return instance
}

/**
 * Send a request and turn every axios failure into a {@link ProviderHttpError} or
 * {@link ProviderTimeoutError} whose message names the method and path (never the query, headers
 * or body, which may carry credentials).
 * @param what - a label for messages, e.g. `AutoDL POST /api/v1/instance`.
 */
export async function send<T = unknown> (http: AxiosInstance, config: AxiosRequestConfig, what: string): Promise<AxiosResponse<T>> {
  try {
    return await http.request<T>(config)
  } catch (err) {
    throw toProviderError(err, what, config.signal as AbortSignal | undefined)
  }
}

function toProviderError (err: unknown, what: string, signal: AbortSignal | undefined): Error {
  if (!axios.isAxiosError(err) && !axios.isCancel(err)) {
    return new ProviderHttpError(`${what}: ${err instanceof Error ? err.message : String(err)}`, null)
  }
  const e = err as AxiosError
  if (axios.isCancel(err) || e.code === 'ERR_CANCELED' || signal?.aborted) {
    return new ProviderTimeoutError(`${what}: aborted (time budget exceeded)`)
  }
  if (isTooLarge(e)) {
    const limit = e.config?.maxContentLength ?? 0
    return new ProviderResponseError(`${what}: the answer is larger than ${+(limit / 1024 / 1024).toFixed(2)} MB (limits.maxResponseMB); not read`)
  }
  if (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT') {
    return new ProviderTimeoutError(`${what}: no answer within the request timeout`)
  }
  if (e.response) {
    return new ProviderHttpError(`${what}: HTTP ${e.response.status}`, e.response.status)
  }
  // Only the error code: axios messages can embed the full URL.
  return new ProviderHttpError(`${what}: ${e.code ?? 'network error'}`, null)
}

import axios, { type AxiosResponse } from 'axios'
import { retryAfter } from 'axios-retry'
import { RetryableError } from './delivery.js'

/** One attempt may take this long, milliseconds. */
export const ATTEMPT_TIMEOUT_MS = 10_000

/** The HTTP client of the channels: no redirects (a receiver's URL is used as given), no retries of its own. */
export const channelHttp = axios.create({ timeout: ATTEMPT_TIMEOUT_MS, maxRedirects: 0 })

/**
 * POST `body` (JSON) to `url` once. A 2xx answer is returned; 408, 429 and 5xx answers, timeouts and
 * network errors throw {@link RetryableError} (with the answer's `Retry-After`, seconds or an HTTP
 * date); any other answer throws a plain `Error` naming the status: sending it again would not help.
 * Errors name the URL's host only: a path or query may hold a key.
 */
export async function postOnce (url: string, body: string | object, headers: Record<string, string>): Promise<AxiosResponse> {
  const host = new URL(url).host
  try {
    return await channelHttp.post(url, body, { headers, validateStatus: status => status >= 200 && status < 300 })
  } catch (err) {
    if (!axios.isAxiosError(err)) throw err
    const status = err.response?.status
    if (status === undefined) throw new RetryableError(`${host}: ${err.code ?? err.message}`)
    const message = `${host} answered HTTP ${status}`
    if (status === 408 || status === 429 || status >= 500) {
      const wait = retryAfter(err)
      throw new RetryableError(message, wait > 0 ? wait : null)
    }
    throw new Error(message)
  }
}

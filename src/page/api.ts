import { createParser } from 'eventsource-parser'

/**
 * The page's only way to the host: the public status API (`/api/v1`), with the key — when keys are
 * configured — kept in `sessionStorage` and sent as `Authorization: Bearer`, never in a URL or cookie.
 */

const KEY = 'computewatch.key'

export class ApiError extends Error {
  readonly status: number
  readonly code: string | undefined
  constructor (status: number, message: string, code?: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

export function storedKey (): string | null {
  return sessionStorage.getItem(KEY)
}

export function storeKey (key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY)
  else sessionStorage.setItem(KEY, key)
}

function headers (json: boolean): Record<string, string> {
  const key = storedKey()
  return { accept: 'application/json', ...(json ? { 'content-type': 'application/json' } : {}), ...(key ? { authorization: `Bearer ${key}` } : {}) }
}

/** `GET` or `POST` a JSON document. @throws ApiError with the API's own message on any non-2xx answer. */
export async function api<T> (path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, body === undefined
    ? { headers: headers(false) }
    : { method: 'POST', headers: headers(true), body: JSON.stringify(body) })
  if (!response.ok) {
    const error = await response.json().catch(() => null) as { message?: string; code?: string } | null
    throw new ApiError(response.status, error?.message ?? `HTTP ${response.status}`, error?.code)
  }
  return await response.json() as T
}

/**
 * Follow `GET /api/v1/events` — Server-Sent Events read with `fetch` (`EventSource` cannot send the key)
 * and parsed by eventsource-parser — and call `onSnapshot` for each `snapshot` event. Reconnects after a
 * drop (3 s) until `signal` aborts; `onState` says whether the stream is open.
 */
export async function followEvents (onSnapshot: (generatedAt: string) => void, onState: (open: boolean) => void, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      const response = await fetch('/api/v1/events', { headers: { ...headers(false), accept: 'text/event-stream' }, signal })
      if (!response.ok || !response.body) throw new ApiError(response.status, `events: HTTP ${response.status}`)
      onState(true)
      const parser = createParser({
        onEvent: (event) => { if (event.event === 'snapshot') onSnapshot((JSON.parse(event.data) as { generatedAt: string }).generatedAt) }
      })
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        parser.feed(value)
      }
    } catch (err) {
      if (signal.aborted) return
      if (err instanceof ApiError && err.status === 401) { onState(false); return }
    }
    onState(false)
    await new Promise(resolve => setTimeout(resolve, 3000))
  }
}

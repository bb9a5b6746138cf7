import { createHttpClient } from '../../src/core/http.js'
import type { ProviderDeps } from '../../src/core/provider.js'
import { memoryStateStore, type StateStore } from '../../src/core/store.js'
import { captureLog, type CapturedLog } from './log.js'

/** ProviderDeps for one entry, with a captured log and an in-memory store (pass `store` to share one, i.e. "restart"). */
export function makeDeps (id = 'lab', options: { store?: StateStore; proxy?: string; captured?: CapturedLog } = {}): ProviderDeps & { captured: CapturedLog } {
  const captured = options.captured ?? captureLog()
  const store = (options.store ?? memoryStateStore()).namespace(`provider:${id}`)
  return {
    id,
    log: captured.log.child({ provider: id, type: 'autodl' }),
    store,
    http: createHttpClient({ proxy: options.proxy, timeoutMs: 5000, retryDelayMs: 10 }),
    secrets: captured.secrets,
    captured
  }
}

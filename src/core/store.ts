import { resolve } from 'node:path'
import { Keyv, type KeyvStoreAdapter } from 'keyv'
import { ConfigError } from './errors.js'
import { JsonFileStore } from './file-store.js'
import type { Logger } from './logger.js'
import { openRedisStore } from './redis-store.js'
import { StoreKeyv } from './store-keyv.js'
import type { StateStore } from './store-types.js'

export type { StateStore, RedisCommands, RedisSubscriber, RedisConnection, WriteFence } from './store-types.js'

/**
 * Open the store named by `url`:
 * - `file:<path>` — a JSON file ({@link JsonFileStore}: atomic, locked, 0600 in a 0700 folder); relative
 *   paths resolve against `baseDir`. This is the embedded default; no server needed.
 * - `redis://…` / `rediss://…` — Redis through `@keyv/redis`, one connection shared by all namespaces.
 * Every namespace's writes are awaited and a failed one rejects with `StoreError` (`CW_ERR_STORE`), so a
 * caller never reports a change that was not kept.
 * @throws ConfigError for any other scheme; StoreError when the file store is damaged or locked by
 *   another host.
 */
export async function openStateStore (url: string, options: { baseDir: string; log: Logger; redisConnectTimeoutMs?: number }): Promise<StateStore> {
  if (url.startsWith('file:')) return openFileStore(resolve(options.baseDir, url.slice('file:'.length)), options.log)
  if (url.startsWith('redis://') || url.startsWith('rediss://')) return await openRedisStore(url, options.log, options.redisConnectTimeoutMs ?? 5000)
  throw new ConfigError([`store: unsupported store URL "${url.replace(/\/\/[^@/]*@/, '//***@')}"; use file:./data/computewatch.json or redis://host:6379`])
}

async function openFileStore (filename: string, log: Logger): Promise<StateStore> {
  const adapter = await JsonFileStore.open(filename, log)
  return {
    description: `file:${filename}`,
    namespace: (name) => new StoreKeyv({ store: adapter as unknown as KeyvStoreAdapter, namespace: name }),
    close: async () => { await adapter.close() }
  }
}

/** An in-memory store (tests, `demo`). */
export function memoryStateStore (): StateStore {
  const map = new Map()
  return {
    description: 'memory',
    namespace: (name) => new Keyv({ store: map, namespace: name }),
    close: async () => {}
  }
}

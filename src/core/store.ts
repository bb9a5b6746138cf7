import { resolve } from 'node:path'
import { Keyv, type KeyvStoreAdapter } from 'keyv'
import { ConfigError, StoreError, isHostError } from './errors.js'
import { JsonFileStore } from './file-store.js'
import type { Logger } from './logger.js'

/**
 * The host's persistent state: one keyv namespace per purpose (`provider:<id>`, `accounts`, …)
 * over one backing store.
 */
export interface StateStore {
  /** A Keyv bound to `name`; its keys cannot collide with another namespace's. */
  namespace (name: string): Keyv
  /** Flush pending writes and close connections. */
  close (): Promise<void>
  /** Human-readable description of the backend, without credentials. */
  readonly description: string
  /** A Redis store's connection, for the leader lease and the snapshot channel (`src/core/replicas.ts`); absent otherwise. */
  readonly redis?: RedisConnection | undefined
}

/** The commands of the store's Redis connection that replicas use (node-redis, `@redis/client`). */
export interface RedisCommands {
  eval (script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
  get (key: string): Promise<string | null>
  publish (channel: string, message: string): Promise<unknown>
}

/** A connection of its own for subscribing (a subscribed node-redis connection takes no other commands). */
export interface RedisSubscriber {
  subscribe (channel: string, listener: (message: string) => void): Promise<unknown>
  quit (): Promise<unknown>
}

export interface RedisConnection {
  /** Connect now (the store itself connects at its first use). */
  connect (): Promise<void>
  commands: RedisCommands
  /** Open a second connection to subscribe on. */
  subscriber (): Promise<RedisSubscriber>
}

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
  if (url.startsWith('redis://') || url.startsWith('rediss://')) return openRedisStore(url, options.log, options.redisConnectTimeoutMs ?? 5000)
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

async function openRedisStore (url: string, log: Logger, connectTimeoutMs: number): Promise<StateStore> {
  const { default: KeyvRedis, createClient } = await import('@keyv/redis')
  // Commands fail at once while the connection is down instead of waiting in a queue: a request that
  // changes state answers 503 CW_ERR_STORE rather than hanging.
  const client = createClient({ url, disableOfflineQueue: true, socket: { connectTimeout: connectTimeoutMs } })
  // Each namespace's adapter listens to the shared client (error, connect, reconnecting…): more than
  // node's default of 10 listeners is expected, not a leak.
  client.setMaxListeners(64)
  let failures = 0
  client.on('error', (err: Error) => { if (failures++ === 0) log.error({ err: { message: err.message } }, 'redis store error') })
  client.on('ready', () => { if (failures > 0) log.warn({ errors: failures }, 'redis store: connected again'); failures = 0 })
  // @keyv/redis prefixes keys with its own namespace, so each namespace gets its own adapter over the
  // shared client (a shared adapter would use whichever namespace was set last).
  return {
    description: 'redis',
    namespace: (name) => new StoreKeyv({
      store: new KeyvRedis(client, { namespace: name, throwOnErrors: true, throwOnConnectError: true, connectionTimeout: connectTimeoutMs }),
      namespace: name,
      useKeyPrefix: false
    }),
    close: async () => { if (client.isOpen) await client.quit() },
    redis: {
      connect: async () => { if (!client.isOpen) await client.connect() },
      commands: client as unknown as RedisCommands,
      subscriber: async () => {
        const sub = client.duplicate()
        sub.on('error', (err: Error) => log.warn({ err: { message: err.message } }, 'redis subscriber error'))
        await sub.connect()
        return sub as unknown as RedisSubscriber
      }
    }
  }
}

/**
 * A Keyv whose writes either are kept or reject with `StoreError`: keyv's default swallows an adapter's
 * error and answers `false`, which every caller would have to check.
 */
class StoreKeyv extends Keyv {
  constructor (options: ConstructorParameters<typeof Keyv>[0]) {
    super({ ...options, throwOnErrors: true, emitErrors: false })
  }

  override async set (...args: Parameters<Keyv['set']>): Promise<boolean> {
    try { return await super.set(...args) } catch (err) { throw storeError(err) }
  }

  override async delete (...args: Parameters<Keyv['delete']>): Promise<boolean> {
    try { return await super.delete(...args) } catch (err) { throw storeError(err) }
  }
}

function storeError (err: unknown): StoreError {
  if (isHostError(err) && err.code === 'CW_ERR_STORE') return err as StoreError
  return new StoreError(`could not save the change to the state store (${(err as Error).message ?? String(err)}); nothing was changed`, { cause: err })
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

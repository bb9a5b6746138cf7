import type { KeyvStoreAdapter } from 'keyv'
import { fencedWrite, notLeader, type FencedOperation } from './fence.js'
import type { Logger } from './logger.js'
import type { RedisCommands, RedisSubscriber, StateStore, WriteFence } from './store-types.js'
import { StoreKeyv } from './store-keyv.js'

/**
 * Open a Redis store through `@keyv/redis`: one connection shared by every namespace, each namespace
 * its own adapter (the adapter prefixes keys with its namespace, so a shared one would use whichever
 * was set last). Once {@link RedisConnection.fence} is given a fence, every set and delete runs as a
 * Lua script that first compares the fence key with this host's token, atomically in Redis.
 */
export async function openRedisStore (url: string, log: Logger, connectTimeoutMs: number): Promise<StateStore> {
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
  const commands = client as unknown as RedisCommands
  let fence: WriteFence | null = null

  /** `@keyv/redis`'s adapter, with fenced writes once a fence is set. */
  class FencedKeyvRedis extends KeyvRedis<string> {
    override async set (key: string, value: string, ttl?: number): Promise<void> {
      if (fence === null) return await super.set(key, value, ttl)
      await this.#fenced(key, { set: value, ttlMs: ttl })
    }

    override async setMany (entries: Array<{ key: string; value: string; ttl?: number }>): Promise<void> {
      for (const entry of entries) await this.set(entry.key, entry.value, entry.ttl)
    }

    override async delete (key: string): Promise<boolean> {
      if (fence === null) return await super.delete(key)
      return await this.#fenced(key, 'delete') > 0
    }

    override async deleteMany (keys: string[]): Promise<boolean> {
      let deleted = false
      for (const key of keys) deleted = await this.delete(key) || deleted
      return deleted
    }

    override async clear (): Promise<void> {
      if (fence !== null && fence.token === null) throw notLeader()
      await super.clear()
    }

    async #fenced (key: string, operation: FencedOperation): Promise<number> {
      await this.getClient()
      return await fencedWrite(commands, fence!, this.createKeyPrefix(key, this.namespace), operation)
    }
  }

  return {
    description: 'redis',
    namespace: (name) => new StoreKeyv({
      store: new FencedKeyvRedis(client, { namespace: name, throwOnErrors: true, throwOnConnectError: true, connectionTimeout: connectTimeoutMs }) as unknown as KeyvStoreAdapter,
      namespace: name,
      useKeyPrefix: false
    }),
    close: async () => { if (client.isOpen) await client.quit() },
    redis: {
      connect: async () => { if (!client.isOpen) await client.connect() },
      commands,
      subscriber: async () => {
        const sub = client.duplicate()
        sub.on('error', (err: Error) => log.warn({ err: { message: err.message } }, 'redis subscriber error'))
        await sub.connect()
        return sub as unknown as RedisSubscriber
      },
      fence: (f) => { fence = f }
    }
  }
}

import type { Keyv } from 'keyv'

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
  /**
   * From now on, every write of every namespace (set, delete) carries `fence`'s token and Redis refuses
   * it unless that token is still the current fence: a deposed leader cannot overwrite the new one's state.
   */
  fence (fence: WriteFence): void
}

/** The fencing token writes must carry (the leader lease, `src/core/lease.ts`). */
export interface WriteFence {
  /** The Redis key holding the current fence. */
  readonly fenceKey: string
  /** This host's token while it leads, else null (then every write is refused). */
  readonly token: number | null
  /** Called when Redis refused a write: another host leads now. */
  refused (): void
}

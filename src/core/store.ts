import { chmod, mkdir, open } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { Keyv, type KeyvStoreAdapter } from 'keyv'
import { KeyvFile } from 'keyv-file'
import { ConfigError } from './errors.js'
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
}

/**
 * Open the store named by `url`:
 * - `file:<path>` — a JSON file (keyv-file), created with mode 0600 in a 0700 folder; relative paths
 *   resolve against `baseDir`. This is the embedded default; no server needed.
 * - `redis://…` / `rediss://…` — Redis through `@keyv/redis`, one connection shared by all namespaces.
 * @throws ConfigError for any other scheme.
 */
export async function openStateStore (url: string, options: { baseDir: string; log: Logger }): Promise<StateStore> {
  if (url.startsWith('file:')) return openFileStore(resolve(options.baseDir, url.slice('file:'.length)), options.log)
  if (url.startsWith('redis://') || url.startsWith('rediss://')) return openRedisStore(url, options.log)
  throw new ConfigError([`store: unsupported store URL "${url.replace(/\/\/[^@/]*@/, '//***@')}"; use file:./data/computewatch.json or redis://host:6379`])
}

async function openFileStore (filename: string, log: Logger): Promise<StateStore> {
  await mkdir(dirname(filename), { recursive: true, mode: 0o700 })
  // Create the file up front so it is private from the first write (it holds tokens).
  const handle = await open(filename, 'a', 0o600)
  await handle.close()
  await chmod(filename, 0o600)
  const adapter = new KeyvFile({ filename, writeDelay: 20 })
  return {
    description: `file:${filename}`,
    namespace: (name) => attach(new Keyv({ store: adapter as unknown as KeyvStoreAdapter, namespace: name }), log, name),
    close: async () => { await (adapter as unknown as { save (): Promise<void> }).save() }
  }
}

async function openRedisStore (url: string, log: Logger): Promise<StateStore> {
  const { default: KeyvRedis, createClient } = await import('@keyv/redis')
  const client = createClient({ url })
  client.on('error', (err: Error) => log.error({ err: { message: err.message } }, 'redis store error'))
  // @keyv/redis prefixes keys with its own namespace, so each namespace gets its own adapter over the
  // shared client (a shared adapter would use whichever namespace was set last).
  return {
    description: 'redis',
    namespace: (name) => attach(new Keyv({ store: new KeyvRedis(client, { namespace: name }), namespace: name, useKeyPrefix: false }), log, name),
    close: async () => { if (client.isOpen) await client.quit() }
  }
}

function attach (keyv: Keyv, log: Logger, name: string): Keyv {
  keyv.on('error', (err: Error) => log.error({ namespace: name, err: { message: err.message } }, 'state store error'))
  return keyv
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

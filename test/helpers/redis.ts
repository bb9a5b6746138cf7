import type { Test } from 'tap'
import { createClient } from '@redis/client'
import { freePort } from './telegram.js'
import { spawnRedisServer } from './redis-server.js'

const clientOf = (url: string) => createClient({ url })
export type Redis = ReturnType<typeof clientOf>

/**
 * A real `redis-server` on a free port, without persistence, stopped at teardown; null when the binary
 * is missing (Debian package `redis-server`; `.ci/run` installs it).
 */
export async function startRedis (t: Test): Promise<{ url: string; client: () => Promise<Redis> } | null> {
  const server = await spawnRedisServer(await freePort())
  if (!server) return null
  t.teardown(server.stop)
  const url = server.url
  return {
    url,
    client: async () => {
      const client = clientOf(url)
      await client.connect()
      t.teardown(async () => { if (client.isOpen) await client.quit().catch(() => {}) })
      return client
    }
  }
}

import { spawn } from 'node:child_process'
import type { Test } from 'tap'
import { createClient } from '@redis/client'
import { freePort } from './telegram.js'
import { which } from './system-tools.js'

const clientOf = (url: string) => createClient({ url })
export type Redis = ReturnType<typeof clientOf>

/**
 * A real `redis-server` on a free port, without persistence, stopped at teardown; null when the binary
 * is missing (Debian package `redis-server`; `.ci/run` installs it).
 */
export async function startRedis (t: Test): Promise<{ url: string; client: () => Promise<Redis> } | null> {
  if (!(await which('redis-server'))) return null
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { child.kill('SIGKILL') })
  await new Promise<void>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', chunk => { out += String(chunk); if (out.includes('Ready to accept connections')) resolve() })
    child.on('exit', code => reject(new Error(`redis-server exited (${code}): ${out}`)))
  })
  const url = `redis://127.0.0.1:${port}`
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

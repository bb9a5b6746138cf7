import { spawn } from 'node:child_process'

/** A running `redis-server`: its URL, and how to stop it. */
export interface RedisServer { url: string; stop (): void }

/**
 * Start `redis-server` on `port` of 127.0.0.1, without persistence; resolves once it accepts
 * connections, or null when the binary is missing (Debian package `redis-server`). The tests
 * (`test/helpers/redis.ts`) and the bench (`test/bench/run.ts`) both start theirs here.
 * @throws when it exits before it is ready (the port is taken).
 */
export async function spawnRedisServer (port: number): Promise<RedisServer | null> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] })
  return await new Promise<RedisServer | null>((resolve, reject) => {
    let out = ''
    child.once('error', err => { if ((err as NodeJS.ErrnoException).code === 'ENOENT') resolve(null); else reject(err) })
    child.stdout!.on('data', chunk => {
      out += String(chunk)
      if (out.includes('Ready to accept connections')) resolve({ url: `redis://127.0.0.1:${port}`, stop: () => { child.kill('SIGKILL') } })
    })
    child.on('exit', code => reject(new Error(`redis-server exited (${code}): ${out}`)))
  })
}

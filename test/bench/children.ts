import { spawn, type ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** A child process of the bench. */
export interface Child {
  process: ChildProcess
  stop (): Promise<void>
}

/** This folder, compiled (`.bench/test/bench`). */
export const HERE = fileURLToPath(new URL('.', import.meta.url))

/** Start `node <args>`; its stderr goes to ours. `stop()` sends SIGTERM, then SIGKILL after 10 s. */
export function spawnNode (args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  return {
    process: child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise(resolve => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
  }
}

/**
 * Start `node <args>` and wait for the first stdout line that parses as JSON.
 * @throws when the process exits first or prints nothing within 30 s.
 */
export async function startChild<T> (args: string[]): Promise<Child & { ready: T }> {
  const child = spawnNode(args)
  const lines = createInterface({ input: child.process.stdout! })
  try {
    const ready = await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${args.join(' ')}: not ready within 30 s`)), 30_000)
      child.process.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${args.join(' ')} exited with ${code}`)) })
      lines.on('line', (line) => {
        try { resolve(JSON.parse(line) as T); clearTimeout(timer) } catch { /* not the ready line */ }
      })
    })
    lines.close()
    child.process.stdout!.resume()
    return { ...child, ready }
  } catch (err) {
    await child.stop()
    throw err
  }
}

/** Resident set size of a process, bytes (Linux `/proc/<pid>/status` VmRSS; `VmHWM`: its peak so far). */
export async function rssOf (pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]
  if (kb === undefined) throw new Error(`no ${field} for process ${pid}`)
  return Number(kb) * 1024
}

export interface LoadResult { requestsPerSecond: number; p50: number; p99: number; errors: number }

/** autocannon in its own process: `connections` connections for `seconds` against `url`. */
export async function load (url: string, seconds: number, connections = 10, headers: Record<string, string> = {}): Promise<LoadResult> {
  const bin = fileURLToPath(new URL('../../../node_modules/autocannon/autocannon.js', import.meta.url))
  const args = [bin, '--json', '-c', String(connections), '-d', String(seconds), ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]), url]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  await new Promise(resolve => child.once('exit', resolve))
  const r = JSON.parse(out) as { requests: { average: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number }
  return { requestsPerSecond: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx }
}

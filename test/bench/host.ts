import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readShebang } from '../helpers/shebang.js'
import { spawnNode, type Child } from './children.js'
import { BENCH_PASSWORD, benchPhone } from './accounts.js'

/** What `GET /api/v1/providers` says of one entry. */
export interface EntryStatus { id: string; ok: boolean; lastSuccessAt: string | null; durationMs: number | null; instanceCount: number }

export interface HostSpec {
  /** AutoDL entries, one per simulator account. */
  accounts: number
  simulatorUrl: string
  pollIntervalSeconds: number
  telegram?: { apiRoot: string; token: string; userId: number } | undefined
  /** A Redis store shared by replicas (default: a file store of its own), and this host's name among them. */
  redis?: { url: string; hostId: string } | undefined
}

export interface BenchHost extends Child {
  url: string
  providers (): Promise<EntryStatus[]>
}

/** A free TCP port on 127.0.0.1. */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}

export const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

/**
 * The real host: `computewatch --config <file>` in its own process (the CLI as users run it, logging at
 * `warn`), with a file store in a temporary folder that is removed when it stops. Resolves once the
 * API answers.
 */
export async function startHost (spec: HostSpec): Promise<BenchHost> {
  const dir = await mkdtemp(join(tmpdir(), 'computewatch-bench-'))
  const port = await freePort()
  const config = {
    store: spec.redis?.url ?? `file:${join(dir, 'state.json')}`,
    ...(spec.redis ? { replicas: { hostId: spec.redis.hostId } } : {}),
    pollIntervalSeconds: spec.pollIntervalSeconds,
    pollTimeoutSeconds: 60,
    api: { host: '127.0.0.1', port },
    ...(spec.telegram
      ? { telegram: { token: spec.telegram.token, apiRoot: spec.telegram.apiRoot, allowedUserIds: [spec.telegram.userId], language: 'en', accounts: { enabled: false } } }
      : {}),
    providers: Array.from({ length: spec.accounts }, (_, a) => ({
      id: `acct${a}`, type: 'autodl', phone: benchPhone(a), password: BENCH_PASSWORD, baseUrl: spec.simulatorUrl
    }))
  }
  const file = join(dir, 'config.json')
  await writeFile(file, JSON.stringify(config))
  const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url))
  // The environment and V8 flags the CLI runs with (its shebang `env -S NAME=value… node flags…`, as
  // `computewatch` and `npm start` use them; a variable already set in the bench's environment wins), then
  // BENCH_HOST_ARGS: node options for the host only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const shebang = await readShebang(cli)
  const assignments = shebang.environment.map(word => word.split('=', 2) as [string, string])
  const env = Object.fromEntries(assignments.filter(([name]) => process.env[name] === undefined))
  const nodeArgs = [...shebang.flags, ...(process.env['BENCH_HOST_ARGS'] ?? '').split(' ')].filter(Boolean)
  const child = spawnNode([...nodeArgs, cli, '--config', file], { LOG_LEVEL: 'warn', ...env })
  child.process.stdout!.resume()
  const url = `http://127.0.0.1:${port}`
  const host: BenchHost = {
    ...child,
    url,
    providers: async () => await (await fetch(`${url}/api/v1/providers`)).json() as EntryStatus[],
    stop: async () => { await child.stop(); await rm(dir, { recursive: true, force: true }) }
  }
  for (let waited = 0; ; waited += 100) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      await rm(dir, { recursive: true, force: true })
      throw new Error(`the host exited (${child.process.exitCode ?? child.process.signalCode})`)
    }
    if (await fetch(`${url}/healthz`).then(r => r.ok, () => false)) return host
    if (waited > 30_000) { await host.stop(); throw new Error('the host did not answer within 30 s') }
    await sleep(100)
  }
}

/** One finished poll of one entry, from its status: [start, end] in epoch milliseconds. */
export type PollSpan = [number, number]

/**
 * Watch `/api/v1/providers` until every entry has finished `polls` successful polls; return each
 * poll round's spans (round r = every entry's r-th poll). A round's cycle is its last end minus its first start.
 */
export async function pollRounds (host: BenchHost, polls: number, onRound?: (round: number) => Promise<void>): Promise<PollSpan[][]> {
  const seen = new Map<string, PollSpan[]>()
  let reported = 0
  let progressAt = Date.now()
  for (;;) {
    const statuses = await host.providers()
    if (Date.now() - progressAt > 90_000) {
      throw new Error(`no poll finished for 90 s; failing: ${JSON.stringify(statuses.filter(p => !p.ok).slice(0, 3))}`)
    }
    for (const p of statuses) {
      if (!p.ok || p.lastSuccessAt === null || p.durationMs === null) continue
      const spans = seen.get(p.id) ?? []
      const end = Date.parse(p.lastSuccessAt)
      if (spans.at(-1)?.[1] !== end) { spans.push([end - p.durationMs, end]); progressAt = Date.now() }
      seen.set(p.id, spans)
    }
    const complete = seen.size === statuses.length ? Math.min(...[...seen.values()].map(s => s.length)) : 0
    while (reported < Math.min(complete, polls)) {
      reported++ // not inside onRound?.(…): optional chaining skips evaluating the arguments
      await onRound?.(reported)
    }
    if (complete >= polls) break
    await sleep(250)
  }
  return Array.from({ length: polls }, (_, r) => [...seen.values()].map(spans => spans[r]!))
}

/** A round's cycle: from the first poll's start to the last poll's end, milliseconds. */
export const cycleMs = (round: PollSpan[]): number => Math.max(...round.map(s => s[1])) - Math.min(...round.map(s => s[0]))

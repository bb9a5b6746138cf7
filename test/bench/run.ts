/**
 * `npm run bench`: the figures of the performance goals, measured side by side in one run against the
 * real host process (`computewatch --config`), an AutoDL simulator in its own process (per-call latency,
 * page cap), bare Fastify in its own process serving the same bytes, and autocannon in its own process.
 * Prints each figure next to its goal and writes them all to `.bench/results.json` (`BENCH_OUT`).
 * Nothing here is asserted by the tests.
 *
 * Environment: `BENCH_RUNS` (samples per figure, default 3), `BENCH_SECONDS` (autocannon run, default 3),
 * `BENCH_ONLY` (comma-separated parts: `cycle`, `10k`, `1k`, `takeover`; default all), `BENCH_HOST_ARGS` (node options
 * of the host process only, e.g. `--cpu-prof --cpu-prof-dir=prof` to profile it).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { HERE, load, rssOf, startChild, type Child } from './children.js'
import { cycleMs, freePort, pollRounds, sleep, startHost, type BenchHost } from './host.js'
import type { SimulatorSpec } from './accounts.js'
import { startTelegramStub, type TelegramStub } from './telegram-stub.js'
import { spawnRedisServer } from '../helpers/redis-server.js'

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3)
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3)
const OUT = process.env['BENCH_OUT'] ?? join(HERE, '../../results.json')
/** AutoDL-like per-call latency and page cap of the simulator, as measured in the issue. */
const LATENCY_MS = 100
const PAGE_CAP = 20
const POLL_SECONDS = 15 // AutoDL's minimum interval

interface Figure { name: string; value: number; unit: string; goal: string; met: boolean; samples: number[] }
const figures: Figure[] = []
/** Figures without a goal that put the others in context (the floor of this machine). */
interface Reference { name: string; value: number; unit: string; samples: number[] }
const references: Reference[] = []
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2 }
const mib = (bytes: number): number => Math.round(bytes / 1048576 * 10) / 10
const round2 = (x: number): number => Math.round(x * 100) / 100

function report (name: string, samples: number[], unit: string, goal: { atMost?: number; atLeast?: number }): void {
  const value = round2(median(samples))
  const met = (goal.atMost === undefined || value <= goal.atMost) && (goal.atLeast === undefined || value >= goal.atLeast)
  const goalText = goal.atMost !== undefined ? `≤ ${goal.atMost}` : `≥ ${goal.atLeast!}`
  figures.push({ name, value, unit, goal: goalText, met, samples: samples.map(round2) })
  console.log(`${met ? 'ok  ' : 'MISS'} ${name.padEnd(58)} ${`${value} ${unit}`.padStart(12)}   goal ${goalText} ${unit}   samples ${samples.map(round2).join(', ')}`)
}

function note (name: string, samples: number[], unit: string): void {
  const value = round2(median(samples))
  references.push({ name, value, unit, samples: samples.map(round2) })
  console.log(`ref  ${name.padEnd(58)} ${`${value} ${unit}`.padStart(12)}   (no goal)      samples ${samples.map(round2).join(', ')}`)
}

/**
 * The floor: the same list calls made by a client that does nothing but HTTP and `JSON.parse`, in its
 * own process, against the same simulator once the host has stopped. Its first round (JIT) is dropped.
 */
async function floorCycles (url: string, accounts: number, client: 'bare' | 'axios'): Promise<number[]> {
  const floor = await startChild<{ cycles: number[] }>([join(HERE, 'floor-process.js'), url, String(accounts), String(RUNS + 1), client])
  await floor.stop()
  return floor.ready.cycles.slice(1)
}

async function simulator (spec: SimulatorSpec): Promise<Child & { ready: { url: string } }> {
  return await startChild<{ url: string }>([join(HERE, 'simulator-process.js'), JSON.stringify(spec)])
}

/**
 * Host ÷ bare Fastify requests per second on `path`: the bare server serves the bytes the host answered,
 * with its content type; autocannon runs against one, then the other.
 */
async function apiPairs (host: BenchHost, path: string): Promise<{ pair: () => Promise<number>; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'computewatch-bench-body-'))
  const response = await fetch(host.url + path)
  const file = join(dir, 'body')
  await writeFile(file, Buffer.from(await response.arrayBuffer()))
  const bare = await startChild<{ url: string }>([join(HERE, 'bare-process.js'), path, file, response.headers.get('content-type') ?? 'application/json'])
  // Warm both up (JIT, connection pools) before the measured pairs.
  await load(host.url + path, 1)
  await load(bare.ready.url + path, 1)
  let pairs = 0
  return {
    // Alternating which runs first, so that neither always runs on a warmer or cooler machine.
    pair: async () => {
      const hostFirst = pairs++ % 2 === 0
      const first = await load((hostFirst ? host.url : bare.ready.url) + path, SECONDS)
      const second = await load((hostFirst ? bare.ready.url : host.url) + path, SECONDS)
      const [mine, theirs] = hostFirst ? [first, second] : [second, first]
      if (mine.errors + theirs.errors > 0) throw new Error(`${path}: ${mine.errors} host errors, ${theirs.errors} bare errors`)
      return mine.requestsPerSecond / theirs.requestsPerSecond
    },
    close: async () => { await bare.stop(); await rm(dir, { recursive: true, force: true }) }
  }
}

/** Measure once the host has finished with the poll that just ended (alerts, garbage): serving, not polling, is compared. */
async function settled<T> (measure: () => Promise<T>): Promise<T> {
  await new Promise(resolve => setTimeout(resolve, 1500))
  return await measure()
}

/** 200 accounts × 50 instances against 1 × 50: the steady poll cycle, and RSS at 10,000 instances. */
async function pollCycles (): Promise<void> {
  const cycles: Record<number, number[]> = {}
  const floors: Record<string, number[]> = {}
  const apiSmall: number[] = []
  for (const accounts of [200, 1]) {
    const sim = await simulator({ accounts, perAccount: 50, latencyMs: LATENCY_MS, pageSizeCap: PAGE_CAP })
    const host = await startHost({ accounts, simulatorUrl: sim.ready.url, pollIntervalSeconds: POLL_SECONDS })
    let rss = 0
    let peak = 0
    const api: Array<Awaited<ReturnType<typeof apiPairs>>> = []
    try {
      const rounds = await pollRounds(host, RUNS + 1, async (round) => {
        if (round === 3 && accounts === 200) [rss, peak] = [await rssOf(host.process.pid!), await rssOf(host.process.pid!, 'VmHWM')]
        if (accounts !== 1) return
        // After the first poll: the bare server must serve the same 50 instances.
        if (round === 1) api.push(await apiPairs(host, '/api/v1/instances'))
        else apiSmall.push(await settled(api[0]!.pair))
      })
      // Round 1 includes the logins; the others are steady.
      cycles[accounts] = rounds.slice(1).map(cycleMs)
      console.log(`     ${accounts} × 50 instances: cycles ${cycles[accounts]!.join(', ')} ms`)
      if (accounts === 200) {
        report('RSS, 200 accounts × 50 instances, after 3 polls', [mib(rss)], 'MiB', { atMost: 150 })
        note('  its peak so far (VmHWM)', [mib(peak)], 'MiB')
      }
    } finally {
      for (const a of api) await a.close()
      await host.stop()
    }
    try {
      for (const client of ['bare', 'axios'] as const) floors[`${client}${accounts}`] = await floorCycles(sim.ready.url, accounts, client)
    } finally { await sim.stop() }
  }
  const alone = median(cycles[1]!)
  report('steady poll cycle, 200 × 50 ÷ one account alone', cycles[200]!.map(c => c / alone), '×', { atMost: 1.5 })
  for (const client of ['bare', 'axios'] as const) {
    const one = median(floors[`${client}1`]!)
    note(`  floor: ${client === 'bare' ? 'node:http' : 'axios'} + JSON.parse only, 200 × 50 ÷ 1 × 50`, floors[`${client}200`]!.map(c => c / one), '×')
  }
  report('GET /api/v1/instances, 50 instances, host ÷ bare Fastify', apiSmall, '', { atLeast: 0.95 })
}

/** One account of 10,000 instances: RSS after 3 polls, and the API at that size. */
async function tenThousand (): Promise<void> {
  // No per-call latency here: 500 pages at 100 ms would take 50 s a poll; memory does not depend on it.
  const sim = await simulator({ accounts: 1, perAccount: 10_000, latencyMs: 0, pageSizeCap: PAGE_CAP })
  const host = await startHost({ accounts: 1, simulatorUrl: sim.ready.url, pollIntervalSeconds: POLL_SECONDS })
  const ratios: number[] = []
  let rss = 0
  try {
    await pollRounds(host, 1, async () => {})
    const api = await apiPairs(host, '/api/v1/instances')
    try {
      await pollRounds(host, RUNS + 1, async (round) => {
        if (round === 3) rss = await rssOf(host.process.pid!)
        if (round >= 2) ratios.push(await settled(api.pair))
      })
    } finally { await api.close() }
    report('RSS, 1 account × 10,000 instances, after 3 polls', [mib(rss)], 'MiB', { atMost: 150 })
    report('GET /api/v1/instances, 10,000 instances, host ÷ bare Fastify', ratios, '', { atLeast: 0.95 })
  } finally {
    await host.stop()
    await sim.stop()
  }
}

/** 20 accounts × 50 = 1,000 instances: `/gpuvalid`'s first reply, the API and `/metrics`. */
async function thousand (): Promise<void> {
  const telegram: TelegramStub = await startTelegramStub()
  const sim = await simulator({ accounts: 20, perAccount: 50, latencyMs: LATENCY_MS, pageSizeCap: PAGE_CAP })
  const host = await startHost({ accounts: 20, simulatorUrl: sim.ready.url, pollIntervalSeconds: POLL_SECONDS, telegram })
  const replies: number[] = []
  const instances: number[] = []
  const metrics: number[] = []
  try {
    await pollRounds(host, 1, async () => {})
    for (let i = 0; i < 3; i++) await telegram.command('/gpuvalid') // warm-up
    const api = await apiPairs(host, '/api/v1/instances')
    const scrape = await apiPairs(host, '/metrics')
    try {
      await pollRounds(host, RUNS + 1, async (round) => {
        if (round < 2) return
        instances.push(await settled(api.pair))
        metrics.push(await settled(scrape.pair))
        for (let i = 0; i < 3; i++) replies.push(await telegram.command('/gpuvalid'))
      })
    } finally {
      await api.close()
      await scrape.close()
    }
    report('/gpuvalid, 1,000 instances, update received → first reply sent', replies, 'ms', { atMost: 25 })
    report('GET /api/v1/instances, 1,000 instances, host ÷ bare Fastify', instances, '', { atLeast: 0.95 })
    report('GET /metrics, 1,000 instances, host ÷ bare Fastify', metrics, '', { atLeast: 0.95 })
  } finally {
    await host.stop()
    await sim.stop()
    await telegram.close()
  }
}

/**
 * Failover: two hosts on one `redis-server` with the default lease (7.5 s), one account of 50
 * instances; kill -9 of the leader, then the time until the follower leads (`/healthz`) and until its
 * view is fresh again (its first poll after the kill ended). Skipped without `redis-server`.
 */
async function takeover (): Promise<void> {
  const redis = await spawnRedisServer(await freePort())
  if (!redis) { console.log('skip takeover: redis-server not found (apt-get install -y redis-server)'); return }
  const { url } = redis
  const sim = await simulator({ accounts: 1, perAccount: 50, latencyMs: LATENCY_MS, pageSizeCap: PAGE_CAP })
  const leads: number[] = []
  const fresh: number[] = []
  const health = async (host: BenchHost): Promise<{ role?: string }> => await fetch(`${host.url}/healthz`).then(async r => await r.json() as { role?: string }, () => ({}))
  try {
    for (let run = 0; run < RUNS; run++) {
      const leader = await startHost({ accounts: 1, simulatorUrl: sim.ready.url, pollIntervalSeconds: POLL_SECONDS, redis: { url, hostId: `leader-${run}` } })
      await pollRounds(leader, 1)
      const follower = await startHost({ accounts: 1, simulatorUrl: sim.ready.url, pollIntervalSeconds: POLL_SECONDS, redis: { url, hostId: `follower-${run}` } })
      try {
        if ((await health(follower)).role !== 'follower') throw new Error('the second host does not follow')
        // Let the lease be renewed at a random point of its period, as a crash would find it.
        await sleep(1000 + Math.random() * 2500)
        leader.process.kill('SIGKILL')
        const killed = Date.now()
        while ((await health(follower)).role !== 'leader') await sleep(50)
        leads.push((Date.now() - killed) / 1000)
        for (;;) {
          const entry = (await follower.providers())[0]
          if (entry?.lastSuccessAt && Date.parse(entry.lastSuccessAt) > killed) break
          await sleep(50)
        }
        fresh.push((Date.now() - killed) / 1000)
      } finally {
        await leader.stop()
        await follower.stop()
      }
    }
    report('failover: kill -9 of the leader → the follower leads (lease 7.5 s)', leads, 's', { atMost: 15 })
    note('  failover: kill -9 of the leader → the new leader\'s first poll ended', fresh, 's')
  } finally {
    await sim.stop()
    redis.stop()
  }
}

const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 1073741824), node: process.version, platform: `${process.platform} ${process.arch}` }
console.log(`computewatch bench — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}; ${RUNS} samples per figure, autocannon ${SECONDS} s × 10 connections`)
console.log(`AutoDL simulator: ${LATENCY_MS} ms per call, page size capped at ${PAGE_CAP}; polls every ${POLL_SECONDS} s`)
const started = Date.now()
const only = new Set((process.env['BENCH_ONLY'] ?? 'cycle,10k,1k,takeover').split(','))
if (only.has('cycle')) await pollCycles()
if (only.has('10k')) await tenThousand()
if (only.has('1k')) await thousand()
if (only.has('takeover')) await takeover()
await writeFile(OUT, `${JSON.stringify({ at: new Date().toISOString(), machine, runs: RUNS, seconds: SECONDS, figures, references }, null, 2)}\n`)
console.log(`${figures.filter(f => f.met).length}/${figures.length} goals met in ${Math.round((Date.now() - started) / 1000)} s; figures written to ${OUT}`)

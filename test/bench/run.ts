/**
 * `npm run bench`: prints speed and memory figures. Nothing here is asserted; compare runs by eye.
 *   1. mapping: AutoDL raw instances → Instance, per second
 *   2. poll: one listInstances() of N instances through the simulator (page_size capped at 100)
 *   3. memory: heap held by the aggregated view
 *   4. API: GET /api/v1/instances and /metrics under autocannon, 10 connections; first request after a poll
 */
import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'
import { AutodlProvider, normalizeAutodlOptions, toInstance } from '../../providers/autodl/index.js'
import type { RawInstance } from '../../providers/autodl/map.js'
import { buildApi } from '../../src/api/index.js'
import { Aggregator } from '../../src/core/aggregator.js'
import { createHttpClient } from '../../src/core/http.js'
import { createLogger } from '../../src/core/logger.js'
import { SecretRegistry } from '../../src/core/secrets.js'
import { memoryStateStore } from '../../src/core/store.js'
import { manyInstances } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'

const INSTANCES = Number(process.env['BENCH_INSTANCES'] ?? 2000)
const DURATION = Number(process.env['BENCH_SECONDS'] ?? 3)
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

async function main (): Promise<void> {
  const raws = manyInstances(INSTANCES, 50) as unknown as RawInstance[]
  console.log(`computewatch bench — ${INSTANCES} instances, node ${process.version}`)

  // 1. mapping
  const rounds = Math.max(1, Math.floor(200_000 / INSTANCES))
  let t0 = performance.now()
  for (let r = 0; r < rounds; r++) for (const raw of raws) toInstance(raw)
  const mapMs = performance.now() - t0
  console.log(`mapping      ${Math.round(rounds * INSTANCES / (mapMs / 1000)).toLocaleString('en')} instances/s`)

  // 2. poll through the simulator
  const simulator = await startAutodlSimulator({ accounts: [{ phone: '13800000000', password: 'bench', instances: manyInstances(INSTANCES, 50) }], pageSizeCap: 100 })
  const secrets = new SecretRegistry()
  const log = createLogger({ secrets, level: 'warn' })
  const store = memoryStateStore()
  const provider = new AutodlProvider(normalizeAutodlOptions({ phone: '13800000000', password: 'bench', baseUrl: simulator.url }), {
    id: 'bench', log, store: store.namespace('provider:bench'), http: createHttpClient(), secrets
  })
  await provider.authenticate()
  const polls: number[] = []
  for (let i = 0; i < 5; i++) {
    t0 = performance.now()
    await provider.listInstances()
    polls.push(performance.now() - t0)
  }
  polls.sort((a, b) => a - b)
  console.log(`poll         median ${polls[2]!.toFixed(1)} ms for ${Math.ceil(INSTANCES / 100)} pages (min ${polls[0]!.toFixed(1)}, max ${polls[4]!.toFixed(1)})`)

  // 3. memory held by the view: heap while the entry is in the aggregator, minus heap after removing it
  const aggregator = new Aggregator({ pollIntervalMs: 3600_000, pollTimeoutMs: 30_000, log, secrets })
  await aggregator.add({ id: 'bench', type: 'autodl', provider, log })
  await aggregator.refresh()
  const count = aggregator.snapshot.instances.length
  const json = Buffer.byteLength(JSON.stringify(aggregator.snapshot))
  const heap = (): number => { global.gc?.(); global.gc?.(); return process.memoryUsage().heapUsed }
  const holding = heap()
  await aggregator.remove('bench')
  const released = heap()
  console.log(`memory       view of ${count} instances: ${mb(Math.max(0, holding - released))} of heap (${Math.round(Math.max(0, holding - released) / count)} B/instance), ${mb(json)} as JSON${global.gc ? '' : ' (rough: run with --expose-gc)'}`)
  await aggregator.add({ id: 'bench', type: 'autodl', provider, log })
  await aggregator.refresh()

  // 4. API
  const app = await buildApi({ aggregator, apiKeys: [], log, version: 'bench' })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  for (const path of ['/healthz', '/api/v1/instances', '/api/v1/instances?gpuIdle=true', '/metrics']) {
    const r = await autocannon({ url: base + path, connections: 10, duration: DURATION })
    console.log(`GET ${path.padEnd(30)} ${Math.round(r.requests.average).toLocaleString('en').padStart(7)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  errors ${r.errors + r.non2xx}`)
  }

  // The first request after a poll serializes; later ones reuse the body until the next poll.
  await aggregator.refresh()
  t0 = performance.now()
  await fetch(`${base}/api/v1/instances`).then(r => r.text())
  console.log(`first GET /api/v1/instances after a poll: ${(performance.now() - t0).toFixed(1)} ms`)
  await aggregator.refresh()
  t0 = performance.now()
  await fetch(`${base}/metrics`).then(r => r.text())
  console.log(`first GET /metrics after a poll: ${(performance.now() - t0).toFixed(1)} ms`)
  console.log(`process      rss ${mb(process.memoryUsage().rss)} (simulator and autocannon in the same process)`)

  await app.close()
  await aggregator.stop()
  await simulator.close()
}

await main()

import type { FastifyPluginAsync } from 'fastify'
import type { Aggregator } from '../../core/aggregator.js'
import { PUBLIC_VIEWER } from '../../core/visibility.js'
import { processRegistry, type HostMetrics } from '../../metrics/counters.js'
import { viewRegistry, type MetricsView } from '../../metrics/view.js'
import type { SnapshotCache } from '../snapshot-cache.js'

/** Process metrics (CPU, memory, GC) are collected at most this often, milliseconds: a scrape every second costs nothing. */
const PROCESS_TTL_MS = 1000

export interface MetricsRouteOptions {
  aggregator: Aggregator
  cache: SnapshotCache
  /** The host's counters and build info. */
  counters?: HostMetrics | undefined
}

/** The parts a body was made of: it is answered again while none of them changed. */
interface Rendered {
  view: Buffer
  changes: number
  processAt: number
  body: Buffer
}

/**
 * `GET /metrics`: Prometheus text in base units (seconds, bytes, yuan, 0–1 ratios). Three parts: the
 * aggregated view's gauges, rendered once per snapshot; the host's counters, rendered when one of them
 * counted; the process metrics, at most once a second. While none of the three changed, the body is
 * answered as it is, synchronously, like the other hot routes.
 */
export const metricsRoutes: FastifyPluginAsync<MetricsRouteOptions> = async (app, { aggregator, cache, counters }) => {
  let current: MetricsView | null = null
  const gauges = viewRegistry(() => current!)
  const processMetrics = processRegistry()
  let last: Rendered | null = null
  const viewPart = (): Buffer | Promise<Buffer> => cache.body('metrics', async () => {
    current = aggregator.view(PUBLIC_VIEWER)
    try { return await gauges.metrics() } finally { current = null }
  })
  const render = async (view: Buffer, changes: number, now: number): Promise<Buffer> => {
    const [own, process] = await Promise.all([counters?.registry.metrics() ?? '', processMetrics.metrics()])
    last = { view, changes, processAt: now, body: Buffer.concat([view, Buffer.from(own + process)]) }
    return last.body
  }

  app.get('/metrics', {
    schema: {
      summary: 'Prometheus metrics of the aggregated view, the host and the process',
      operationId: 'getMetrics',
      tags: ['status'],
      produces: ['text/plain'],
      response: { 200: { type: 'string' } }
    }
  }, (_request, reply) => {
    reply.type(gauges.contentType)
    const view = viewPart()
    const changes = counters?.changes ?? 0
    const now = Date.now()
    if (Buffer.isBuffer(view) && last !== null && last.view === view && last.changes === changes && now - last.processAt < PROCESS_TTL_MS) return last.body
    return (async () => await render(await view, changes, now))()
  })
}

import type { FastifyPluginAsync } from 'fastify'
import type { Aggregator } from '../../core/aggregator.js'
import { PUBLIC_VIEWER } from '../../core/visibility.js'
import { processRegistry, type HostMetrics } from '../../metrics/counters.js'
import { viewMetrics, type MetricsView } from '../../metrics/view.js'

/** Process metrics (CPU, memory, GC) are collected at most this often, milliseconds: a scrape every second costs nothing. */
const PROCESS_TTL_MS = 1000

export interface MetricsRouteOptions {
  aggregator: Aggregator
  /** The host's counters and build info. */
  counters?: HostMetrics | undefined
}

/** The latest body, and what it was made of: it is answered again while none of them changed. */
interface Rendered {
  /** The snapshot the view's gauges were read from. */
  snapshot: object
  /** The first bytes of `body`: the view's gauges (a view into `body`, not a copy). */
  view: Buffer
  changes: number
  processAt: number
  body: Buffer
}

/**
 * `GET /metrics`: Prometheus text in base units (seconds, bytes, yuan, 0–1 ratios). Three parts: the
 * aggregated view's gauges, rendered once per snapshot; the host's counters, rendered when one of them
 * counted; the process metrics, at most once a second. While none of the three changed, the body is
 * answered as it is, synchronously, like the other hot routes. Only the latest body is kept (13 MB at
 * 10,000 instances); the view's part of it is reused, not copied, when only the other parts changed.
 */
export const metricsRoutes: FastifyPluginAsync<MetricsRouteOptions> = async (app, { aggregator, counters }) => {
  let current: MetricsView | null = null
  const gauges = viewMetrics(() => current!)
  const processMetrics = processRegistry()
  let last: Rendered | null = null
  /** The render in progress: concurrent scrapes of one snapshot share it. */
  let pending: { snapshot: object; changes: number; body: Promise<Buffer> } | null = null

  const viewOf = async (snapshot: object): Promise<Buffer> => {
    if (last?.snapshot === snapshot) return last.view
    current = aggregator.view(PUBLIC_VIEWER)
    try { return await gauges.render() } finally { current = null }
  }
  const render = (snapshot: object, changes: number, now: number): Promise<Buffer> => {
    if (pending?.snapshot === snapshot && pending.changes === changes) return pending.body
    const body = (async () => {
      const view = await viewOf(snapshot)
      const [own, process] = await Promise.all([counters?.registry.metrics() ?? '', processMetrics.metrics()])
      const bytes = Buffer.concat([view, Buffer.from(own + process)])
      if (aggregator.snapshot === snapshot) last = { snapshot, view: bytes.subarray(0, view.length), changes, processAt: now, body: bytes }
      return bytes
    })()
    const mine = { snapshot, changes, body }
    pending = mine
    void body.finally(() => { if (pending === mine) pending = null }).catch(() => {})
    return body
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
    const snapshot = aggregator.snapshot
    const changes = counters?.changes ?? 0
    const now = Date.now()
    if (last !== null && last.snapshot === snapshot && last.changes === changes && now - last.processAt < PROCESS_TTL_MS) return last.body
    return render(snapshot, changes, now)
  })
}

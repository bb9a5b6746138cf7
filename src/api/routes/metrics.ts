import type { FastifyPluginAsync } from 'fastify'
import type { Registry } from 'prom-client'
import type { Aggregator } from '../../core/aggregator.js'
import { PUBLIC_VIEWER } from '../../core/visibility.js'
import { processRegistry } from '../../metrics/counters.js'
import { viewRegistry, type MetricsView } from '../../metrics/view.js'
import type { SnapshotCache } from '../snapshot-cache.js'

/** Process metrics (CPU, memory, GC) are collected at most this often, milliseconds: a scrape every second costs nothing. */
const PROCESS_TTL_MS = 1000

export interface MetricsRouteOptions {
  aggregator: Aggregator
  cache: SnapshotCache
  /** The host's counters and build info (`HostMetrics.registry`), rendered at each scrape. */
  counters?: Registry | undefined
}

/**
 * `GET /metrics`: Prometheus text in base units (seconds, bytes, yuan, 0–1 ratios). Three parts: the
 * aggregated view's gauges, rendered once per snapshot (scrapes between polls reuse the bytes); the
 * host's counters, rendered at each scrape; the process metrics, at most once a second.
 */
export const metricsRoutes: FastifyPluginAsync<MetricsRouteOptions> = async (app, { aggregator, cache, counters }) => {
  let current: MetricsView | null = null
  const gauges = viewRegistry(() => current!)
  const processMetrics = processRegistry()
  let processText: { at: number; text: Promise<string> } | null = null
  const processPart = (): Promise<string> => {
    const now = Date.now()
    if (processText === null || now - processText.at >= PROCESS_TTL_MS) processText = { at: now, text: processMetrics.metrics() }
    return processText.text
  }
  const viewPart = (): Buffer | Promise<Buffer> => cache.body('metrics', async () => {
    current = aggregator.view(PUBLIC_VIEWER)
    try { return await gauges.metrics() } finally { current = null }
  })

  app.get('/metrics', {
    schema: {
      summary: 'Prometheus metrics of the aggregated view, the host and the process',
      operationId: 'getMetrics',
      tags: ['status'],
      produces: ['text/plain'],
      response: { 200: { type: 'string' } }
    }
  }, async (_request, reply) => {
    reply.type(gauges.contentType)
    const [view, own, process] = await Promise.all([viewPart(), counters?.metrics() ?? '', processPart()])
    return Buffer.concat([view, Buffer.from(own + process)])
  })
}

import type { ServerResponse } from 'node:http'
import type { FastifyPluginAsync } from 'fastify'
import type { Aggregator } from '../../core/aggregator.js'
import { BusyError } from '../../core/errors.js'

export interface EventRouteOptions {
  aggregator: Aggregator
  /** Streams open at once (default 100); one more answers 503. */
  maxStreams?: number | undefined
  /** Least time between two `snapshot` events, milliseconds (default 1000): a poll of each account publishes one. */
  throttleMs?: number | undefined
  /** Time between two keep-alive comments, milliseconds (default 20 000), under the idle timeouts of proxies. */
  heartbeatMs?: number | undefined
}

/**
 * `GET /api/v1/events`: Server-Sent Events (`text/event-stream`) for pages and scripts that want to know
 * when the view changed. Each event is `event: snapshot` with `data: {"generatedAt": …}` — the client then
 * reads `GET /api/v1/instances` (one cached body per snapshot, whoever asks). Sent at once when the
 * stream opens, then at most once per `throttleMs` while polls finish. Streams end when the host stops.
 * Same access as the other reads (`Authorization: Bearer` when keys are configured — read it with
 * `fetch`, since `EventSource` cannot send headers).
 */
export const eventRoutes: FastifyPluginAsync<EventRouteOptions> = async (app, options) => {
  const { aggregator } = options
  const maxStreams = options.maxStreams ?? 100
  const throttleMs = options.throttleMs ?? 1000
  const heartbeatMs = options.heartbeatMs ?? 20_000
  const streams = new Set<ServerResponse>()
  let flush: NodeJS.Timeout | null = null
  let lastSent = 0

  const event = (): string => `event: snapshot\ndata: ${JSON.stringify({ generatedAt: aggregator.snapshot.generatedAt })}\n\n`
  const send = (): void => {
    flush = null
    lastSent = Date.now()
    const text = event()
    for (const stream of streams) stream.write(text)
  }
  const onSnapshot = (): void => {
    if (streams.size === 0 || flush !== null) return
    flush = setTimeout(send, Math.max(0, lastSent + throttleMs - Date.now()))
  }
  aggregator.on('snapshot', onSnapshot)
  const heartbeat = setInterval(() => { for (const stream of streams) stream.write(': keep-alive\n\n') }, heartbeatMs)
  heartbeat.unref()

  // Before the server waits for its connections to end: end the streams, or it would wait forever.
  app.addHook('preClose', (done) => {
    aggregator.off('snapshot', onSnapshot)
    clearInterval(heartbeat)
    if (flush) clearTimeout(flush)
    for (const stream of streams) stream.end()
    streams.clear()
    done()
  })

  app.get('/api/v1/events', {
    schema: {
      summary: 'Server-Sent Events: `snapshot` whenever the view changed (at most once a second)',
      operationId: 'streamEvents',
      tags: ['status'],
      produces: ['text/event-stream'],
      response: { 200: { type: 'string', description: '`event: snapshot` / `data: {"generatedAt": "…"}` blocks, and `: keep-alive` comments.' }, 503: { $ref: 'Error#', description: 'Too many streams are open (CW_ERR_BUSY).' } }
    }
  }, (request, reply) => {
    if (streams.size >= maxStreams) throw new BusyError(`${maxStreams} event streams are open already; close a page, or poll GET /api/v1/instances instead`)
    reply.hijack()
    const stream = reply.raw
    stream.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no' // nginx: do not buffer the stream
    })
    stream.write(`retry: 3000\n${event()}`)
    streams.add(stream)
    request.raw.socket.setTimeout(0)
    stream.on('close', () => streams.delete(stream))
  })
}

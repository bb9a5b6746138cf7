import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'

/**
 * A fault to inject into the next answers of a path: an HTTP 500 HTML page, a 200 HTML page
 * (garbage), no answer at all (hang), a reset connection before handling (reset), the request handled
 * but its answer lost (drop), or a canned answer.
 */
export type Fault = 'http500' | 'garbage' | 'hang' | 'reset' | 'drop' | { status: number; body: unknown; headers?: Record<string, string> }

export interface SeenRequest {
  method: string
  /** Path without the query string. */
  path: string
  /** The route pattern, e.g. `/api/client/servers/:server/resources`. */
  route: string
  query: Record<string, unknown>
  headers: Record<string, unknown>
  body: unknown
}

/** What every simulator shares: a Fastify app, a request log, counters and fault injection. */
export interface SimKit {
  app: FastifyInstance
  /** The last 1000 requests, in order. */
  requests: SeenRequest[]
  /** Requests seen per route pattern. */
  counts: Record<string, number>
  /** Make the next `times` answers of a route pattern (or exact path) fail with `fault`. */
  inject (pathOrRoute: string, fault: Fault, times?: number): void
  /** Listen on 127.0.0.1 and return the base URL. */
  listen (port?: number): Promise<string>
  close (): Promise<void>
}

export function createSimKit (): SimKit {
  const app = Fastify({ logger: false, forceCloseConnections: true })
  const requests: SeenRequest[] = []
  const counts: Record<string, number> = {}
  const faults = new Map<string, Fault[]>()
  const hanging = new Set<FastifyReply>()
  const dropped = new WeakSet<object>()

  app.addHook('preHandler', async (request, reply) => {
    const path = request.url.split('?')[0] ?? request.url
    const route = request.routeOptions.url ?? path
    counts[route] = (counts[route] ?? 0) + 1
    requests.push({ method: request.method, path, route, query: { ...(request.query as object) }, headers: { ...request.headers }, body: request.body })
    if (requests.length > 1000) requests.shift()
    const queue = faults.get(route)?.length ? faults.get(route) : faults.get(path)
    const fault = queue?.shift()
    if (fault === undefined) return
    if (fault === 'http500') return await reply.code(500).type('text/html').send('<html><body>502 Bad Gateway</body></html>')
    if (fault === 'garbage') return await reply.code(200).type('text/html').send('<!doctype html><title>维护中 maintenance</title>')
    if (fault === 'reset') {
      request.raw.socket.destroy()
      return await reply.hijack()
    }
    if (fault === 'hang') {
      hanging.add(reply)
      reply.hijack()
      return
    }
    if (fault === 'drop') {
      dropped.add(request.raw)
      return
    }
    reply.code(fault.status)
    for (const [k, v] of Object.entries(fault.headers ?? {})) reply.header(k, v)
    return await reply.send(fault.body === undefined ? '' : fault.body)
  })

  // 'drop': the handler ran; the connection dies instead of the answer.
  app.addHook('onSend', async (request, _reply, payload) => {
    if (dropped.has(request.raw)) request.raw.socket.destroy()
    return payload
  })

  return {
    app,
    requests,
    counts,
    inject: (pathOrRoute, fault, times = 1) => { faults.set(pathOrRoute, [...(faults.get(pathOrRoute) ?? []), ...Array<Fault>(times).fill(fault)]) },
    listen: async (port = 0) => {
      await app.listen({ host: '127.0.0.1', port })
      const address = app.server.address()
      return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`
    },
    close: async () => {
      for (const reply of hanging) reply.raw.destroy()
      await app.close()
    }
  }
}

import { randomBytes, randomUUID } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { createSimKit, type Fault, type SeenRequest } from '../kit.js'

/** A game/app server as the panel and Wings know it. */
export interface SimPteroServer {
  identifier: string
  name: string
  node: string
  /** Lifecycle (not power): null | installing | install_failed | reinstall_failed | suspended | restoring_backup. */
  status: string | null
  isSuspended: boolean
  /** Being moved to another node (`is_transferring`). */
  isTransferring?: boolean
  /** Its node is under maintenance (`is_node_under_maintenance`). */
  nodeUnderMaintenance?: boolean
  limits: { memory: number; disk: number; cpu: number }
  /** Wings power state; null: the node's Wings is unreachable (502 DaemonConnectionException). */
  powerState: string | null
  memoryBytes: number
  cpuAbsolute: number
  diskBytes: number
  /** Milliseconds, as Wings reports. */
  uptimeMs: number
  /** Startup variables; secrets that must never leave the provider. */
  variables: Record<string, string>
}

export interface PterodactylSimulatorOptions {
  /** Client keys (`ptlc_…`). */
  keys: string[]
  servers: SimPteroServer[]
  /** Requests per window before 429 (default 720 a minute, like `APP_API_CLIENT_RATELIMIT`). */
  rateLimit?: number
  /** The rate-limit window, milliseconds (default 60 000; tests shorten it). */
  rateWindowMs?: number
  transitionMs?: number
  /** Extra latency of `/resources` answers, milliseconds (default 0). */
  latencyMs?: number
}

export interface PterodactylSimulator {
  url: string
  stats: { requests: Record<string, number>; limited: number }
  requests: SeenRequest[]
  server (identifier: string): SimPteroServer | undefined
  /** Largest number of requests in flight at once, seen so far. */
  maxInFlight (): number
  inject (route: string, fault: Fault, times?: number): void
  close (): Promise<void>
}

const error = (code: string, status: number, detail: string): object => ({ errors: [{ code, status: String(status), detail }] })

/**
 * A local Pterodactyl client API (pterodactyl/panel 706db62: `routes/api-client.php`, the controllers
 * under `app/Http/Controllers/Api/Client/`, `app/Exceptions/Handler.php` for `errors[]`):
 * - `GET /api/client?page&per_page` (≤ 100; `meta.pagination.links` is `[]` without neighbours),
 *   `GET /api/client/servers/{id}/resources`, `POST /api/client/servers/{id}/power` → 204.
 * - `Authorization: Bearer ptlc_…`; unauthenticated without a JSON `Accept` → 302 to /auth/login;
 *   with it → 401 `errors[]`; a `ptla_` key → 403. More than `rateLimit` requests a minute → 429 with
 *   `Retry-After`. An invalid power signal → 403; a body that is not JSON → 400.
 */
export async function startPterodactylSimulator (options: PterodactylSimulatorOptions): Promise<PterodactylSimulator> {
  const kit = createSimKit()
  const { app } = kit
  const rateLimit = options.rateLimit ?? 720
  const rateWindowMs = options.rateWindowMs ?? 60_000
  const stats = { requests: kit.counts, limited: 0 }
  const window = { start: Date.now(), count: 0 }
  let inFlight = 0
  let maxInFlight = 0
  const timers = new Set<NodeJS.Timeout>()
  const later = (fn: () => void): void => { const t = setTimeout(() => { timers.delete(t); fn() }, options.transitionMs ?? 200); timers.add(t) }

  app.addHook('onRequest', async (request, reply) => {
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    reply.raw.on('close', () => { inFlight-- })
    const header = String(request.headers.authorization ?? '')
    const key = /^Bearer (\S+)$/.exec(header)?.[1] ?? ''
    const wantsJson = /json/i.test(String(request.headers.accept ?? ''))
    if (key.startsWith('ptla_')) {
      return await reply.code(403).send(error('AccessDeniedHttpException', 403, 'You are attempting to use an application API key on an endpoint that requires a client API key.'))
    }
    if (!options.keys.includes(key)) {
      if (!wantsJson) return await reply.code(302).header('location', '/auth/login').send('')
      return await reply.code(401).send(error('AuthenticationException', 401, 'Unauthenticated.'))
    }
    if (Date.now() - window.start >= rateWindowMs) Object.assign(window, { start: Date.now(), count: 0 })
    if (++window.count > rateLimit) {
      stats.limited++
      const retryAfter = Math.max(1, Math.ceil((window.start + rateWindowMs - Date.now()) / 1000))
      return await reply.code(429).header('retry-after', String(retryAfter)).send(error('TooManyRequestsHttpException', 429, 'Too Many Attempts.'))
    }
  })

  /**
   * The 409 of pterodactyl/panel `app/Http/Middleware/Api/Client/Server/AuthenticateServerAccess.php`
   * (`$server->validateCurrentState()`, `app/Models/Server.php`), on every client server route but the
   * websocket — `/resources` and `/power` included. Texts as upstream's `ServerStateConflictException`.
   */
  const conflict = (s: SimPteroServer): string | null => {
    if (s.isSuspended || s.status === 'suspended') return 'This server is currently suspended and the functionality requested is unavailable.'
    if (s.nodeUnderMaintenance) return 'The node of this server is currently under maintenance and the functionality requested is unavailable.'
    if (s.status === 'installing' || s.status === 'install_failed' || s.status === 'reinstall_failed') return 'This server has not yet completed its installation process, please try again later.'
    if (s.status === 'restoring_backup') return 'This server is currently restoring from a backup, please try again later.'
    if (s.isTransferring) return 'This server is currently being transferred to a new machine, please try again later.'
    return null
  }
  const find = async (request: FastifyRequest, reply: FastifyReply): Promise<SimPteroServer | null> => {
    const server = options.servers.find(s => s.identifier === (request.params as { server: string }).server)
    if (!server) { await reply.code(404).send(error('NotFoundHttpException', 404, 'The requested resource could not be found on the server.')); return null }
    const refused = conflict(server)
    if (refused) { await reply.code(409).send(error('ServerStateConflictException', 409, refused)); return null }
    return server
  }
  const render = (s: SimPteroServer): object => ({
    object: 'server',
    attributes: {
      server_owner: true, identifier: s.identifier, internal_id: 1, uuid: randomUUID(), name: s.name, node: s.node, is_node_under_maintenance: s.nodeUnderMaintenance ?? false,
      sftp_details: { ip: 'sftp.panel.test', port: 2022 }, description: '', limits: { ...s.limits, swap: 0, io: 500, threads: null, oom_disabled: true },
      invocation: `java -Xms128M -jar server.jar --token ${s.variables['RCON_PASSWORD'] ?? ''}`, docker_image: 'ghcr.io/pterodactyl/yolks:java_17',
      egg_features: ['eula'], feature_limits: { databases: 0, allocations: 0, backups: 1 }, status: s.status, is_suspended: s.isSuspended,
      is_installing: s.status === 'installing', is_transferring: s.isTransferring ?? false,
      relationships: { variables: { object: 'list', data: Object.entries(s.variables).map(([env, value]) => ({ object: 'egg_variable', attributes: { env_variable: env, server_value: value } })) } }
    }
  })

  app.get('/api/client', async (request) => {
    const query = request.query as { page?: string; per_page?: string }
    const perPage = Math.min(100, Math.max(1, Number(query.per_page ?? 50) || 50))
    const page = Math.max(1, Number(query.page ?? 1) || 1)
    const totalPages = Math.max(1, Math.ceil(options.servers.length / perPage))
    const slice = options.servers.slice((page - 1) * perPage, page * perPage)
    const links: Record<string, string> = {}
    if (page > 1) links['previous'] = `/api/client?page=${page - 1}`
    if (page < totalPages) links['next'] = `/api/client?page=${page + 1}`
    return {
      object: 'list',
      data: slice.map(render),
      // PHP encodes an empty links array as [] (§4.3).
      meta: { pagination: { total: options.servers.length, count: slice.length, per_page: perPage, current_page: page, total_pages: totalPages, links: Object.keys(links).length ? links : [] } }
    }
  })
  app.get('/api/client/servers/:server/resources', async (request, reply) => {
    if (options.latencyMs) await new Promise(resolve => setTimeout(resolve, options.latencyMs))
    const server = await find(request, reply)
    if (!server) return reply
    if (server.powerState === null) return await reply.code(502).send(error('DaemonConnectionException', 502, 'An error was encountered while processing this request.'))
    return {
      object: 'stats',
      attributes: {
        current_state: server.powerState, is_suspended: server.isSuspended,
        resources: { memory_bytes: server.memoryBytes, cpu_absolute: server.cpuAbsolute, disk_bytes: server.diskBytes, network_rx_bytes: 1234, network_tx_bytes: 5678, uptime: server.uptimeMs }
      }
    }
  })
  app.post('/api/client/servers/:server/power', async (request, reply) => {
    if (!String(request.headers['content-type'] ?? '').includes('application/json')) return await reply.code(400).send(error('BadRequestHttpException', 400, 'The JSON data passed in the request appears to be malformed.'))
    const server = await find(request, reply)
    if (!server) return reply
    const signal = (request.body as { signal?: string } | null)?.signal
    if (!['start', 'stop', 'restart', 'kill'].includes(signal ?? '')) return await reply.code(403).send(error('AuthorizationException', 403, 'This action is unauthorized.'))
    if (signal === 'start') { server.powerState = 'starting'; later(() => { server.powerState = 'running' }) }
    if (signal === 'stop' || signal === 'kill') { server.powerState = 'stopping'; later(() => { server.powerState = 'offline' }) }
    return await reply.code(204).send()
  })

  const url = await kit.listen()
  return {
    url,
    stats,
    requests: kit.requests,
    server: (identifier) => options.servers.find(s => s.identifier === identifier),
    maxInFlight: () => maxInFlight,
    inject: kit.inject,
    close: async () => { for (const t of timers) clearTimeout(t); await kit.close() }
  }
}

export function simPteroServer (overrides: Partial<SimPteroServer> & { identifier: string }): SimPteroServer {
  return {
    name: `server-${overrides.identifier}`, node: 'node-hk-1', status: null, isSuspended: false, limits: { memory: 1024, disk: 5120, cpu: 100 },
    powerState: 'running', memoryBytes: 536870912, cpuAbsolute: 23.5, diskBytes: 1073741824, uptimeMs: 3_600_000,
    variables: { RCON_PASSWORD: `rcon-${randomBytes(6).toString('hex')}` },
    ...overrides
  }
}

/** Servers in every state: running, offline, starting, installing, suspended, Wings down, an unknown word. */
export function pterodactylSampleServers (): SimPteroServer[] {
  return [
    simPteroServer({ identifier: '1a2b3c4d', name: 'Minecraft SMP' }),
    simPteroServer({ identifier: '5e6f7a8b', name: 'Valheim', powerState: 'offline', node: 'node-sg-1' }),
    simPteroServer({ identifier: '9c0d1e2f', name: 'Discord bot', powerState: 'starting', limits: { memory: 0, disk: 0, cpu: 0 } }),
    simPteroServer({ identifier: '3a4b5c6d', name: 'Fresh install', status: 'installing', powerState: 'offline' }),
    simPteroServer({ identifier: '7e8f9a0b', name: 'Unpaid', isSuspended: true, status: 'suspended', powerState: 'offline' }),
    simPteroServer({ identifier: 'c1d2e3f4', name: 'On a dead node', node: 'node-broken', powerState: null }),
    simPteroServer({ identifier: 'a5b6c7d8', name: 'Weird state', powerState: 'hibernating' })
  ]
}

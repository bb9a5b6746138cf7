import { randomBytes } from 'node:crypto'
import { createSimKit, type Fault, type SeenRequest } from '../kit.js'

/** A monitored server, version-neutral; rendered as v0 (PascalCase) or v1 (snake_case, omitempty). */
export interface SimServer {
  id: number
  name: string
  tag: string
  /** null: never reported. */
  lastActive: Date | null
  countryCode: string
  ipv4: string
  platform: string
  memTotal: number
  diskTotal: number
  gpus: string[]
  cpu: number
  memUsed: number
  diskUsed: number
  netInSpeed: number
  netOutSpeed: number
  uptime: number
  load1: number
  /** Percent per GPU (v1); v0 reports their mean as one number. */
  gpuLoads: number[]
}

export interface NezhaSimulatorOptions {
  version: 'v0' | 'v1'
  servers: SimServer[]
  /** v0 API tokens (sent raw in Authorization). */
  tokens?: string[]
  /** v1 users. */
  users?: Array<{ username: string; password: string }>
  /** v2 personal access tokens (`nzp_…`). */
  pats?: string[]
  /** JWT lifetime, milliseconds (default 1 h, like Nezha). */
  jwtTtlMs?: number
  /** Failed logins after which the IP is WAF-blocked (HTTP 403; default 5). */
  wafAfter?: number
}

export interface NezhaSimulator {
  url: string
  stats: { logins: number; failedLogins: number; requests: Record<string, number> }
  requests: SeenRequest[]
  servers: SimServer[]
  /** Expire every JWT issued so far. */
  expireTokens (): void
  inject (route: string, fault: Fault, times?: number): void
  close (): Promise<void>
}

const V0_UNAUTHORIZED = { code: 403, message: '访问此接口需要认证' }
const V1_UNAUTHORIZED = { success: false, error: 'ApiErrorUnauthorized' }

/**
 * A local Nezha dashboard API in one version, each rule from nezhahq/nezha:
 * - v0 (tag v0-final): `GET /api/v1/server/list` and `/server/details[?id=1,2][&tag=]` (id wins over
 *   tag; `cmd/dashboard/controller/api_v1.go`, `service/singleton/api.go`), raw token in `Authorization`
 *   (a `Bearer ` prefix does not match) and a bad token is HTTP 200 `{"code":403,…}`
 *   (`pkg/mygin/auth.go`, `model/common.go`), `host`/`status` PascalCase (no JSON tags, `model/host.go`),
 *   `last_active` unix seconds (-62135596800 when never seen).
 * - v1/v2 (v1.14.14 and master): `POST /api/v1/login` → `{success, data:{token, expire}}`; `GET
 *   /api/v1/server` with `Bearer`; an expired or bad JWT is HTTP 200
 *   `{"success":false,"error":"ApiErrorUnauthorized"}` (`cmd/dashboard/controller/jwt.go`,
 *   `controller.go`); a bad `nzp_` token is HTTP 401 (`api_token.go`); snake_case with omitempty (zero
 *   values missing, `model/`), `last_active` RFC 3339; repeated failed logins get the client WAF-blocked
 *   (HTTP 403). v0 paths are unknown there (404 envelope).
 */
export async function startNezhaSimulator (options: NezhaSimulatorOptions): Promise<NezhaSimulator> {
  const kit = createSimKit()
  const { app } = kit
  const stats = { logins: 0, failedLogins: 0, requests: kit.counts }
  const jwts = new Map<string, number>()
  const jwtTtlMs = options.jwtTtlMs ?? 3600_000
  const wafAfter = options.wafAfter ?? 5

  const renderV0 = (s: SimServer, details: boolean): object => ({
    id: s.id, name: s.name, tag: s.tag,
    last_active: s.lastActive ? Math.floor(s.lastActive.getTime() / 1000) : -62135596800,
    ipv4: s.ipv4, ipv6: '', valid_ip: s.ipv4,
    ...(details
      ? {
          host: {
            Platform: s.platform, PlatformVersion: '', CPU: s.lastActive ? ['AMD EPYC 7543 32-Core Processor'] : null, MemTotal: s.memTotal,
            DiskTotal: s.diskTotal, SwapTotal: 0, Arch: 'amd64', Virtualization: '', BootTime: 0, CountryCode: s.countryCode,
            Version: '0.20.5', GPU: s.gpus.length ? s.gpus : null
          },
          status: {
            CPU: s.cpu, MemUsed: s.memUsed, SwapUsed: 0, DiskUsed: s.diskUsed, NetInTransfer: 0, NetOutTransfer: 0, NetInSpeed: s.netInSpeed,
            NetOutSpeed: s.netOutSpeed, Uptime: s.uptime, Load1: s.load1, Load5: 0, Load15: 0, TcpConnCount: 0, UdpConnCount: 0, ProcessCount: 0,
            Temperatures: null, GPU: s.gpuLoads.length ? s.gpuLoads.reduce((a, b) => a + b, 0) / s.gpuLoads.length : 0
          }
        }
      : {})
  })
  const omitEmpty = (o: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0 && v !== '' && v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0)))
  const renderV1 = (s: SimServer): object => omitEmpty({
    id: s.id, name: s.name, uuid: `uuid-${s.id}`, note: '', public_note: '', display_index: 0,
    host: omitEmpty({ platform: s.platform, mem_total: s.memTotal, disk_total: s.diskTotal, arch: 'amd64', gpu: s.gpus }),
    state: omitEmpty({
      cpu: s.cpu, mem_used: s.memUsed, disk_used: s.diskUsed, net_in_speed: s.netInSpeed, net_out_speed: s.netOutSpeed,
      uptime: s.uptime, load_1: s.load1, gpu: s.gpuLoads
    }),
    geoip: { ip: { ipv4_addr: s.ipv4 }, country_code: s.countryCode },
    last_active: (s.lastActive ?? new Date('0001-01-01T00:00:00Z')).toISOString().replace('.000', '')
  })

  if (options.version === 'v0') {
    const authorized = (header: unknown): boolean => (options.tokens ?? []).includes(String(header ?? ''))
    app.get('/api/v1/server/list', async (request) => {
      if (!authorized(request.headers.authorization)) return V0_UNAUTHORIZED
      const tag = (request.query as { tag?: string }).tag
      return { code: 0, message: 'success', result: options.servers.filter(s => !tag || s.tag === tag).map(s => renderV0(s, false)) }
    })
    app.get('/api/v1/server/details', async (request) => {
      if (!authorized(request.headers.authorization)) return V0_UNAUTHORIZED
      const { id, tag } = request.query as { id?: string; tag?: string }
      const ids = id ? new Set(id.split(',').map(Number)) : null
      const servers = options.servers.filter(s => (ids ? ids.has(s.id) : !tag || s.tag === tag))
      return { code: 0, message: 'success', result: servers.map(s => renderV0(s, true)) }
    })
  } else {
    app.post('/api/v1/login', async (request, reply) => {
      if (stats.failedLogins >= wafAfter) return await reply.code(403).type('text/plain').send('blocked by WAF')
      const body = request.body as { username?: unknown; password?: unknown } | undefined
      const user = (options.users ?? []).find(u => u.username === body?.username && u.password === body?.password)
      if (!user) {
        stats.failedLogins++
        return V1_UNAUTHORIZED
      }
      const token = `eyJhbGciOiJIUzI1NiJ9.${randomBytes(18).toString('base64url')}.${randomBytes(18).toString('base64url')}`
      const expire = Date.now() + jwtTtlMs
      jwts.set(token, expire)
      stats.logins++
      return { success: true, data: { token, expire: new Date(expire).toISOString() } }
    })
    app.get('/api/v1/server', async (request, reply) => {
      const match = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))
      const token = match?.[1] ?? ''
      if (token.startsWith('nzp_')) {
        if (!(options.pats ?? []).includes(token)) return await reply.code(401).send({ success: false, error: 'ApiErrorUnauthorized: invalid api token' })
      } else if ((jwts.get(token) ?? 0) < Date.now()) {
        return V1_UNAUTHORIZED
      }
      return { success: true, data: options.servers.map(renderV1) }
    })
    app.setNotFoundHandler(async (_request, reply) => await reply.code(404).send({ success: false, error: '404 Not Found' }))
  }

  const url = await kit.listen()
  return {
    url,
    stats,
    requests: kit.requests,
    servers: options.servers,
    expireTokens: () => { for (const key of jwts.keys()) jwts.set(key, 0) },
    inject: kit.inject,
    close: kit.close
  }
}

/** A plausible server; `lastActive` defaults to now (online). */
export function simServer (overrides: Partial<SimServer> & { id: number }): SimServer {
  return {
    name: `node-${overrides.id}`, tag: 'default', lastActive: new Date(), countryCode: 'hk', ipv4: `203.0.113.${overrides.id}`,
    platform: 'ubuntu', memTotal: 17179869184, diskTotal: 214748364800, gpus: [], cpu: 12.5, memUsed: 4294967296, diskUsed: 53687091200,
    netInSpeed: 10806, netOutSpeed: 5303, uptime: 331080, load1: 0.42, gpuLoads: [],
    ...overrides
  }
}

/** Sample servers: online with GPUs, online without, offline, never seen, and one in another group. */
export function nezhaSampleServers (now = new Date()): SimServer[] {
  return [
    simServer({ id: 1, name: 'gpu-box-4090', gpus: ['NVIDIA GeForce RTX 4090', 'NVIDIA GeForce RTX 4090'], gpuLoads: [80, 40], countryCode: 'cn', lastActive: now }),
    simServer({ id: 2, name: 'web-hk', lastActive: new Date(now.getTime() - 5000) }),
    simServer({ id: 3, name: 'db-sg', countryCode: 'sg', lastActive: new Date(now.getTime() - 3600_000) }),
    simServer({ id: 4, name: 'new-agent', lastActive: null, memTotal: 0, diskTotal: 0 }),
    simServer({ id: 5, name: 'edge-us', tag: 'edge', countryCode: 'us', lastActive: now })
  ]
}

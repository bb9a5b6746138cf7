import { ProviderResponseError, createCheckAjv, formatAjvErrors, type InstanceData, type InstanceMetrics } from '../../src/index.js'

/**
 * Nezha payloads (reference/providers.md §2, [SRC]). v0 `host`/`status` have no JSON tags, so their
 * keys are PascalCase; v1 fields are snake_case and `omitempty` (zero values are missing).
 */

/** v0 `{code, message, result}`; `code` 0 is success, 403 an unknown token (still HTTP 200). */
export interface V0Envelope { code: number; message?: string; result?: unknown }

export interface V0Server {
  id: number
  name: string
  tag?: string
  /** Unix seconds; -62135596800 (Go zero time) when never seen. */
  last_active: number
  host?: { CPU?: string[] | null; MemTotal?: number; DiskTotal?: number; CountryCode?: string; GPU?: string[] | null; Platform?: string }
  status?: {
    CPU?: number; MemUsed?: number; DiskUsed?: number; NetInSpeed?: number; NetOutSpeed?: number
    Uptime?: number; Load1?: number; GPU?: number
  }
}

/** v1 `{success, data?, error?}`. */
export interface V1Envelope { success: boolean; data?: unknown; error?: string }

export interface V1Server {
  id: number
  name?: string
  host?: { mem_total?: number; disk_total?: number; gpu?: string[]; platform?: string }
  state?: {
    cpu?: number; mem_used?: number; disk_used?: number; net_in_speed?: number; net_out_speed?: number
    uptime?: number; load_1?: number; gpu?: number[]
  }
  geoip?: { country_code?: string }
  /** RFC 3339; `0001-01-01T00:00:00Z` when never seen. */
  last_active?: string
}

const num = { type: 'number' }
const names = { type: ['array', 'null'], items: { type: 'string' } }

const schemas = {
  v0Servers: {
    type: 'array',
    items: {
      type: 'object',
      required: ['id', 'name', 'last_active'],
      properties: {
        id: { type: 'integer' },
        name: { type: 'string' },
        last_active: { type: 'integer' },
        host: { type: 'object', properties: { CPU: names, MemTotal: num, DiskTotal: num, CountryCode: { type: 'string' }, GPU: names } },
        status: {
          type: 'object',
          properties: { CPU: num, MemUsed: num, DiskUsed: num, NetInSpeed: num, NetOutSpeed: num, Uptime: num, Load1: num, GPU: num }
        }
      }
    }
  },
  v1Servers: {
    type: 'array',
    items: {
      type: 'object',
      required: ['id'],
      properties: {
        id: { type: 'integer' },
        name: { type: 'string' },
        host: { type: 'object', properties: { mem_total: num, disk_total: num, gpu: names } },
        state: {
          type: 'object',
          properties: {
            cpu: num, mem_used: num, disk_used: num, net_in_speed: num, net_out_speed: num, uptime: num, load_1: num,
            gpu: { type: 'array', items: num }
          }
        },
        geoip: { type: 'object', properties: { country_code: { type: 'string' } } },
        last_active: { type: 'string' }
      }
    }
  },
  v1Login: {
    type: 'object',
    required: ['token'],
    properties: { token: { type: 'string', minLength: 1 }, expire: { type: 'string' } }
  }
} as const

const ajv = createCheckAjv()
const validators = Object.fromEntries(Object.entries(schemas).map(([k, s]) => [k, ajv.compile(s)])) as Record<keyof typeof schemas, ReturnType<typeof ajv.compile>>

/** Check `data` against a payload schema. @throws ProviderResponseError naming the first wrong field. */
export function checkNezha<T> (kind: keyof typeof schemas, data: unknown, context: string): T {
  const validate = validators[kind]
  if (!validate(data)) throw new ProviderResponseError(`${context}: unexpected answer: ${formatAjvErrors(validate.errors, 'data')[0]}`)
  return data as T
}

/** What mapping needs besides the server. */
export interface MapContext {
  baseUrl: string
  /** Seconds without a report after which an agent counts as offline. */
  offlineAfterSeconds: number
  now: Date
}

/**
 * Online/offline from the last report (§2.3: Nezha has no status word). A server never seen is
 * `offline` with `providerState: "never_seen"`; metrics are published for online servers only.
 */
function presence (lastSeen: Date | null, ctx: MapContext): { state: 'running' | 'offline'; providerState: string } {
  if (lastSeen === null) return { state: 'offline', providerState: 'never_seen' }
  const online = ctx.now.getTime() - lastSeen.getTime() <= ctx.offlineAfterSeconds * 1000
  return online ? { state: 'running', providerState: 'online' } : { state: 'offline', providerState: 'offline' }
}

/** GPU facts: the model from the host's GPU list. Nezha has no GPU counts (§2.3), so those stay null. */
function gpuOf (names: string[] | null | undefined): InstanceData['gpu'] {
  const models = [...new Set((names ?? []).map(n => n.trim()).filter(Boolean))]
  return models.length ? { model: models.join(', '), requested: null, hostTotal: null, hostIdle: null } : null
}

const positive = (n: number | undefined): number | null => (n !== undefined && n > 0 ? n : null)
const defined = (n: number | undefined): number | null => (n === undefined ? null : n)

/** A v0 server (`/api/v1/server/details`, PascalCase `host`/`status`, `last_active` in unix seconds). */
export function fromV0 (server: V0Server, ctx: MapContext): InstanceData {
  const lastSeen = server.last_active > 0 ? new Date(server.last_active * 1000) : null
  const { state, providerState } = presence(lastSeen, ctx)
  const s = server.status ?? {}
  const gpu = gpuOf(server.host?.GPU)
  const metrics: Partial<InstanceMetrics> | null = state === 'running'
    ? {
        cpuPercent: defined(s.CPU),
        memoryUsedBytes: defined(s.MemUsed),
        memoryTotalBytes: positive(server.host?.MemTotal),
        diskUsedBytes: defined(s.DiskUsed),
        diskTotalBytes: positive(server.host?.DiskTotal),
        networkInBytesPerSecond: defined(s.NetInSpeed),
        networkOutBytesPerSecond: defined(s.NetOutSpeed),
        load1: defined(s.Load1),
        uptimeSeconds: defined(s.Uptime),
        gpuPercent: gpu ? defined(s.GPU) : null
      }
    : null
  return {
    ...common(server.id, server.name, ctx),
    region: server.host?.CountryCode ? server.host.CountryCode.toUpperCase() : null,
    state,
    providerState,
    gpu,
    lastSeenAt: lastSeen?.toISOString() ?? null,
    metrics
  }
}

/** A v1/v2 server (`/api/v1/server`, snake_case, omitempty, `last_active` RFC 3339). */
export function fromV1 (server: V1Server, ctx: MapContext): InstanceData {
  const parsed = server.last_active ? new Date(server.last_active) : null
  const lastSeen = parsed && !Number.isNaN(parsed.getTime()) && parsed.getUTCFullYear() > 1 ? parsed : null
  const { state, providerState } = presence(lastSeen, ctx)
  const s = server.state ?? {}
  const gpu = gpuOf(server.host?.gpu)
  const gpuLoads = s.gpu ?? []
  const metrics: Partial<InstanceMetrics> | null = state === 'running'
    ? {
        // omitempty: a missing figure of an online server is a zero.
        cpuPercent: s.cpu ?? 0,
        memoryUsedBytes: s.mem_used ?? 0,
        memoryTotalBytes: positive(server.host?.mem_total),
        diskUsedBytes: s.disk_used ?? 0,
        diskTotalBytes: positive(server.host?.disk_total),
        networkInBytesPerSecond: s.net_in_speed ?? 0,
        networkOutBytesPerSecond: s.net_out_speed ?? 0,
        load1: s.load_1 ?? 0,
        uptimeSeconds: s.uptime ?? 0,
        gpuPercent: gpuLoads.length ? gpuLoads.reduce((a, b) => a + b, 0) / gpuLoads.length : null
      }
    : null
  return {
    ...common(server.id, server.name ?? `#${server.id}`, ctx),
    region: server.geoip?.country_code ? server.geoip.country_code.toUpperCase() : null,
    state,
    providerState,
    gpu,
    lastSeenAt: lastSeen?.toISOString() ?? null,
    metrics
  }
}

function common (id: number, name: string, ctx: MapContext): Pick<InstanceData, 'id' | 'name' | 'stoppedAt' | 'releaseAt' | 'pricePerHour' | 'url'> {
  return { id: String(id), name, stoppedAt: null, releaseAt: null, pricePerHour: null, url: `${ctx.baseUrl}/server/${id}` }
}

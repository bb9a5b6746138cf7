import type { InstanceData, InstanceMetrics } from '../../src/core/instance.js'
import type { V0Server, V1Server } from './raw.js'

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

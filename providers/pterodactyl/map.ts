import type { InstanceData, InstanceState } from '../../src/index.js'

/** `attributes` of a server in `GET /api/client` (ServerTransformer, §4.3). */
export interface RawServer {
  identifier: string
  name: string
  node: string
  /** Lifecycle, not power: null | installing | install_failed | reinstall_failed | suspended | restoring_backup. */
  status: string | null
  is_suspended: boolean
  is_installing?: boolean
  limits: { memory: number; disk: number; cpu: number }
}

/** `attributes` of `GET /api/client/servers/{id}/resources` (StatsTransformer, §4.4). */
export interface RawStats {
  current_state: string
  is_suspended: boolean
  resources: { memory_bytes: number; cpu_absolute: number; disk_bytes: number; uptime: number }
}

/** Wings power states (§4.4); the panel says `stopped` when Wings omits it. */
export const POWER_STATE: Readonly<Record<string, InstanceState>> = {
  running: 'running', starting: 'starting', stopping: 'stopping', offline: 'stopped', stopped: 'stopped'
}

/** Lifecycle states that override the power state (§4.3). */
export const LIFECYCLE_STATE: Readonly<Record<string, InstanceState>> = {
  installing: 'starting', restoring_backup: 'starting', install_failed: 'error', reinstall_failed: 'error', suspended: 'stopped'
}

const MIB = 1024 * 1024

/**
 * A server and its live stats (null when `/resources` failed) → InstanceData. `node` stands in for the
 * region; limits (MiB, 0 = unlimited) and live resources go into `metrics` in bytes and seconds
 * (Wings reports uptime in milliseconds).
 */
export function toInstance (server: RawServer, stats: RawStats | null, baseUrl: string): InstanceData {
  const lifecycle = server.is_suspended || stats?.is_suspended ? 'suspended' : server.status
  const word = lifecycle ?? stats?.current_state ?? 'unavailable'
  const state: InstanceState = lifecycle ? LIFECYCLE_STATE[lifecycle] ?? 'unknown' : stats ? POWER_STATE[stats.current_state] ?? 'unknown' : 'unknown'
  const r = stats?.resources
  return {
    id: server.identifier,
    name: server.name,
    region: server.node || null,
    state,
    providerState: word,
    gpu: null,
    stoppedAt: null,
    releaseAt: null,
    pricePerHour: null,
    url: `${baseUrl}/server/${server.identifier}`,
    metrics: {
      cpuPercent: r ? r.cpu_absolute : null,
      memoryUsedBytes: r ? r.memory_bytes : null,
      memoryTotalBytes: server.limits.memory > 0 ? server.limits.memory * MIB : null,
      diskUsedBytes: r ? r.disk_bytes : null,
      diskTotalBytes: server.limits.disk > 0 ? server.limits.disk * MIB : null,
      uptimeSeconds: r ? Math.floor(r.uptime / 1000) : null
    }
  }
}

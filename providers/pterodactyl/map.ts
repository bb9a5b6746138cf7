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
  is_transferring?: boolean
  is_node_under_maintenance?: boolean
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

/**
 * Lifecycle states that override the power state (§4.3), with the two the list reports as flags:
 * `transferring` (being moved to another node; the panel stops it first) and `node_maintenance`.
 */
export const LIFECYCLE_STATE: Readonly<Record<string, InstanceState>> = {
  installing: 'starting',
  restoring_backup: 'starting',
  install_failed: 'error',
  reinstall_failed: 'error',
  suspended: 'stopped',
  transferring: 'stopped',
  node_maintenance: 'offline'
}

/**
 * The lifecycle word of a server the panel answers 409 for on `/resources` and `/power` — suspended,
 * not installed, restoring, transferring, or on a node under maintenance (pterodactyl/panel
 * `app/Http/Middleware/Api/Client/Server/AuthenticateServerAccess.php` → `Server::validateCurrentState()`)
 * — or null when both may be asked.
 */
export function blockedLifecycle (server: Pick<RawServer, 'status' | 'is_suspended' | 'is_installing' | 'is_transferring' | 'is_node_under_maintenance'>): string | null {
  if (server.is_suspended || server.status === 'suspended') return 'suspended'
  if (server.is_node_under_maintenance) return 'node_maintenance'
  if (server.status === 'installing' || server.is_installing) return 'installing'
  if (server.status === 'install_failed' || server.status === 'reinstall_failed' || server.status === 'restoring_backup') return server.status
  if (server.is_transferring) return 'transferring'
  return null
}

const MIB = 1024 * 1024

/**
 * A server and its live stats (null when `/resources` failed) → InstanceData. `node` stands in for the
 * region; limits (MiB, 0 = unlimited) and live resources go into `metrics` in bytes and seconds
 * (Wings reports uptime in milliseconds).
 */
export function toInstance (server: RawServer, stats: RawStats | null, baseUrl: string, stale = false): InstanceData {
  const lifecycle = blockedLifecycle(server) ?? (stats?.is_suspended ? 'suspended' : server.status)
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
    ...(stale ? { stale: true } : {}),
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

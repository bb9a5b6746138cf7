import type { InstanceData, InstanceState } from '../../src/index.js'
import type { SandboxSpec } from './schema.js'

/** `Instance` of `GET /v1/instance` (§3.4). protojson: lowerCamelCase, int64 as strings, unpopulated fields emitted. */
export interface RawComputeshareInstance {
  id: string
  name: string
  status: number
  /** Milliseconds since the epoch, as a string (int64). */
  expirationTime: string
  imageName?: string
  core?: string
  memory?: string
  /** `StatsTime`: milliseconds since the epoch as a string (int64 in protojson). */
  stats?: Array<{ id?: string; cpuUsage?: number; memoryUsage?: number; StatsTime?: string }>
}

/**
 * The status enum (api/compute/compute_instance.go, §3.4) → [word, state]. `deleted` (7) is dropped from
 * the list; `expired` (8) is kept as stopped with its word.
 */
export const STATUS: Readonly<Record<number, readonly [string, InstanceState | null]>> = {
  0: ['creating', 'starting'],
  1: ['running', 'running'],
  2: ['starting', 'starting'],
  3: ['closing', 'stopping'],
  4: ['closed', 'stopped'],
  5: ['restarting', 'starting'],
  6: ['deleting', 'stopping'],
  7: ['deleted', null],
  8: ['expired', 'stopped'],
  9: ['recreating', 'starting']
}

/** One computeshare VM → InstanceData, or null for a deleted one. No region or GPU: these are CPU VMs. */
export function toInstance (raw: RawComputeshareInstance): InstanceData | null {
  const known = STATUS[raw.status]
  if (known && known[1] === null) return null
  const expires = Number(raw.expirationTime)
  const latest = [...(raw.stats ?? [])].sort((a, b) => statsTime(a.StatsTime) - statsTime(b.StatsTime)).at(-1)
  return {
    id: raw.id,
    name: raw.name || raw.id,
    region: null,
    state: known ? known[1]! : 'unknown',
    providerState: known ? known[0] : String(raw.status),
    gpu: null,
    stoppedAt: null,
    releaseAt: null,
    pricePerHour: null,
    expiresAt: Number.isFinite(expires) && expires > 0 ? new Date(expires).toISOString() : null,
    metrics: typeof latest?.cpuUsage === 'number' ? { cpuPercent: latest.cpuUsage } : null
  }
}

/** Epoch milliseconds of a `StatsTime` (an int64 string; an ISO time is read too); 0 when unreadable. */
function statsTime (value: string | undefined): number {
  if (value === undefined) return 0
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value)
  return Number.isFinite(ms) ? ms : 0
}

/**
 * The body of `POST /v1/sandbox` as the current server takes it (computeshare-server branch
 * feature/cycle, `api/compute/v1/sandbox.proto` and `CreateInstanceRequest`): no term — the spec's
 * price sets it.
 */
export function sandboxBody (spec: SandboxSpec): object {
  return {
    instance: {
      specId: spec.specId,
      imageId: spec.imageId,
      name: spec.name,
      publicKey: spec.publicKey ?? '',
      password: spec.password ?? '',
      dockerCompose: spec.dockerCompose === undefined ? '' : Buffer.from(spec.dockerCompose, 'utf8').toString('base64')
    },
    networkMapping: spec.networkMappings.map(m => ({ name: m.name, protocol: m.protocol, computerPort: m.computerPort }))
  }
}

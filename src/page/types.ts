/** The parts of the status API's documents the page reads (see `GET /api/v1/openapi.json`). */

export type InstanceState = 'running' | 'starting' | 'stopping' | 'stopped' | 'offline' | 'error' | 'unknown'
export const STATES: readonly InstanceState[] = ['running', 'starting', 'stopping', 'stopped', 'offline', 'error', 'unknown']

export interface Instance {
  provider: string
  providerType: string
  id: string
  name: string
  region: string | null
  state: InstanceState
  providerState: string
  gpu: { model: string | null; requested: number | null; hostTotal: number | null; hostIdle: number | null } | null
  stoppedAt: string | null
  releaseAt: string | null
  pricePerHour: number | null
  lastSeenAt: string | null
  expiresAt: string | null
  url: string | null
  metrics: {
    cpuPercent: number | null
    memoryUsedBytes: number | null
    memoryTotalBytes: number | null
    diskUsedBytes: number | null
    diskTotalBytes: number | null
    gpuPercent: number | null
  } | null
  stale: boolean
}

export interface Capabilities { powerOn: boolean; powerOff: boolean; noGpuMode: boolean; releaseAfterStopSeconds: number | null }

export interface ProviderStatus {
  id: string
  type: string
  ok: boolean
  lastSuccessAt: string | null
  lastErrorAt: string | null
  durationMs: number | null
  instanceCount: number
  error: { code: string; message: string } | null
  capabilities: Capabilities
  account: Record<string, unknown> | null
  warnings: number
}

export interface Snapshot { generatedAt: string; instances: Instance[]; providers: ProviderStatus[] }

export interface Me { authenticated: boolean; keyRequired: boolean; name: string | null; anonymous: boolean; scopes: string[]; control: boolean }

export type ActionKind = 'power-on' | 'power-off' | 'keep-alive'
export type PowerOnMode = 'gpu' | 'no_gpu'

export interface ActionRecord {
  id: string
  kind: ActionKind
  provider: string
  instanceId: string
  instanceName: string
  status: 'pending' | 'running' | 'succeeded' | 'failed'
  step: string
  instanceState: string
  error: { code: string; message: string } | null
}

export interface Confirmation { token: string; action: ActionKind; mode: PowerOnMode; text: string; expiresAt: string }

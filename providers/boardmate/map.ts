import { createCheckAjv, type AccountDetails, type InstanceData } from '../../src/index.js'

/**
 * What `GET /api/user/<discordUserId>` answers (seed 002, reference/providers.md §4.7) and how it maps:
 * each server becomes an instance, the balance and quota become the entry's account details.
 */

interface Quota { cpu: number; disk: number; memory: number; servers: number }
export interface RawUser {
  money: number
  now: Quota
  resource: Quota
  server: Record<string, { id: string; name: string; cpu: number; disk: number; memory: number; url?: string }>
}

const MIB = 1024 * 1024
const quota = { type: 'object', required: ['cpu', 'disk', 'memory', 'servers'], properties: { cpu: { type: 'number' }, disk: { type: 'number' }, memory: { type: 'number' }, servers: { type: 'number' } } }
export const validUser = createCheckAjv().compile({
  type: 'object',
  required: ['money', 'now', 'resource', 'server'],
  properties: {
    money: { type: 'number' },
    now: quota,
    resource: quota,
    server: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['id', 'name', 'cpu', 'disk', 'memory'],
        properties: { id: { type: 'string' }, name: { type: 'string' }, cpu: { type: 'number' }, disk: { type: 'number' }, memory: { type: 'number' }, url: { type: 'string' } }
      }
    }
  }
})

/** Each server → an instance with state `unknown` (BoardMate has no live state), its limits in `metrics` (MiB → bytes) and its panel `url`. */
export function toInstances (user: RawUser): InstanceData[] {
  return Object.entries(user.server).map(([key, s]) => ({
    id: s.id || key,
    name: s.name,
    region: null,
    state: 'unknown',
    providerState: 'unknown',
    gpu: null,
    stoppedAt: null,
    releaseAt: null,
    pricePerHour: null,
    url: s.url ?? null,
    metrics: { memoryTotalBytes: s.memory > 0 ? s.memory * MIB : null, diskTotalBytes: s.disk > 0 ? s.disk * MIB : null }
  }))
}

/** `money` (the shop balance), `used` and `quota` (cpu, disk, memory, servers), as BoardMate reports them. */
export function toAccount (user: RawUser): AccountDetails {
  return { money: user.money, used: { ...user.now }, quota: { ...user.resource } }
}

import { createCheckAjv, type InstanceData, type InstanceState } from '../../src/index.js'

/** What `listPeer` answers (reference/providers.md §5.3, [SRC] JKerCloudMonitor wky/wky_interface.py) and how a device maps. */

export interface RawDevice {
  device_sn: string
  peerid?: string
  device_name?: string
  status: string
  connect_time?: number
  disconnect_time?: number
  ip_info?: { city?: string; province?: string }
}

export const validPeers = createCheckAjv().compile({
  type: 'object',
  required: ['rtn'],
  properties: {
    rtn: { type: 'integer' },
    result: {
      type: 'array',
      minItems: 2,
      items: [{}, {
        type: 'object',
        required: ['devices'],
        properties: {
          devices: {
            type: 'array',
            items: {
              type: 'object',
              required: ['device_sn', 'status'],
              properties: { device_sn: { type: 'string' }, peerid: { type: 'string' }, device_name: { type: 'string' }, status: { type: 'string' }, connect_time: { type: 'integer' }, disconnect_time: { type: 'integer' } }
            }
          }
        }
      }]
    }
  }
})

/**
 * Device status words (reference §5.3, JKerCloudMonitor's README sample: `online`; the device list also
 * shows `offline` and, with `exception_name`/`exception_message`, `exception`) → states. Any other word
 * is `unknown`, with the word kept in `providerState`.
 */
export const STATE_MAP: Readonly<Record<string, InstanceState>> = { online: 'running', offline: 'offline', exception: 'error' }

/** One device → InstanceData. IPs, MAC, licence and account fields are not copied. */
export function toInstance (d: RawDevice): InstanceData {
  const online = d.status === 'online'
  const seen = online ? d.connect_time : d.disconnect_time
  return {
    id: d.peerid || d.device_sn,
    name: d.device_name || d.device_sn,
    region: d.ip_info?.city || d.ip_info?.province || null,
    state: STATE_MAP[d.status] ?? 'unknown',
    providerState: d.status,
    gpu: null,
    stoppedAt: null,
    releaseAt: null,
    pricePerHour: null,
    lastSeenAt: seen && seen > 0 ? new Date(seen * 1000).toISOString() : null
  }
}

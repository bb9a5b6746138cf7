import { ProviderResponseError } from '../../src/core/errors.js'
import { createCheckAjv, formatAjvErrors } from '../../src/core/validation.js'

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

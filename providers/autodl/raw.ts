import { Ajv, type ValidateFunction } from 'ajv'
import { formatAjvErrors } from '../../src/core/validation.js'
import { ProviderResponseError } from '../../src/core/errors.js'

/**
 * AutoDL web API payloads, as captured in seed 000 and reference/providers.md §1.2–§1.4 (all [3P]).
 * Only the fields the adapter reads are typed; everything else (including the access secrets
 * `root_password`, `jupyter_token`, `ssh_command`) is ignored and never copied.
 */

/** Go `sql.NullTime` as JSON: `{ "Time": "2024-11-12T16:54:09+08:00", "Valid": true }`. */
export interface NullTime {
  Time: string
  Valid: boolean
}

/** The response envelope of every AutoDL call (§1.2). Errors come back as HTTP 200 with another `code`. */
export interface Envelope<T = unknown> {
  code: string
  msg?: string
  data?: T | null
}

/** One element of `data.list` of `POST /api/v1/instance` (§1.4). */
export interface RawInstance {
  uuid: string
  status: string
  sub_status?: string
  name?: string
  instance_name?: string
  machine_id?: string
  machine_alias?: string
  region_sign?: string
  region_name?: string
  snapshot_gpu_alias_name?: string
  req_gpu_amount?: number
  gpu_all_num?: number
  gpu_idle_num?: number
  payg_price?: number
  charge_type?: string
  start_mode?: string
  status_at?: string
  stopped_at?: NullTime
  started_at?: NullTime
}

/** `data` of `POST /api/v1/instance`. */
export interface InstancePage {
  list: RawInstance[]
  page_index?: number
  page_size?: number
  max_page: number
  result_total?: number
}

const nullTime = {
  type: 'object',
  required: ['Time', 'Valid'],
  properties: { Time: { type: 'string' }, Valid: { type: 'boolean' } }
}
const count = { type: 'integer', minimum: 0 }

const instancePageSchema = {
  type: 'object',
  required: ['list', 'max_page'],
  properties: {
    list: {
      type: 'array',
      items: {
        type: 'object',
        required: ['uuid', 'status'],
        properties: {
          uuid: { type: 'string', minLength: 1 },
          status: { type: 'string' },
          sub_status: { type: 'string' },
          name: { type: 'string' },
          instance_name: { type: 'string' },
          machine_id: { type: 'string' },
          machine_alias: { type: 'string' },
          region_sign: { type: 'string' },
          region_name: { type: 'string' },
          snapshot_gpu_alias_name: { type: 'string' },
          req_gpu_amount: count,
          gpu_all_num: count,
          gpu_idle_num: count,
          payg_price: { type: 'number', minimum: 0 },
          charge_type: { type: 'string' },
          start_mode: { type: 'string' },
          status_at: { type: 'string' },
          stopped_at: nullTime,
          started_at: nullTime
        }
      }
    },
    page_index: { type: 'integer' },
    page_size: { type: 'integer' },
    max_page: { type: 'integer', minimum: 0 },
    result_total: { type: 'integer' }
  }
}

const loginDataSchema = { type: 'object', required: ['ticket'], properties: { ticket: { type: 'string', minLength: 1 } } }
const passportDataSchema = { type: 'object', required: ['token'], properties: { token: { type: 'string', minLength: 1 } } }

const ajv = new Ajv({ allErrors: false, strict: false })
const validators = {
  instancePage: ajv.compile<InstancePage>(instancePageSchema),
  loginData: ajv.compile<{ ticket: string }>(loginDataSchema),
  passportData: ajv.compile<{ token: string }>(passportDataSchema)
}

/**
 * Check `data` against the named payload schema.
 * @throws ProviderResponseError naming the endpoint and the first wrong field, e.g.
 *   `AutoDL POST /api/v1/instance page 2: data.list[3].gpu_idle_num: must be an integer`.
 */
export function checkPayload<K extends keyof typeof validators> (kind: K, data: unknown, context: string):
  typeof validators[K] extends ValidateFunction<infer T> ? T : never {
  const validate = validators[kind] as ValidateFunction
  if (!validate(data)) {
    const detail = formatAjvErrors(validate.errors, 'data')[0] ?? 'unexpected shape'
    throw new ProviderResponseError(`${context}: unexpected answer: ${detail}`)
  }
  return data as never
}

import { Ajv, type ValidateFunction } from 'ajv'
import { PollMemo, ProviderResponseError, formatAjvErrors, formatOffsetTime, parseOffsetTime, shiftOffsetTime, type InstanceData, type InstanceState, type OffsetTime } from '../../src/index.js'

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

/**
 * One element of `data.list` of `POST /api/v1/instance` (§1.4). AutoDL's backend is Go: any optional
 * field may come as `null` (a nil pointer) instead of being absent, and the mapping does without it.
 */
export interface RawInstance {
  uuid: string
  status: string
  sub_status?: string | null
  name?: string | null
  instance_name?: string | null
  machine_id?: string | null
  machine_alias?: string | null
  region_sign?: string | null
  region_name?: string | null
  snapshot_gpu_alias_name?: string | null
  req_gpu_amount?: number | null
  gpu_all_num?: number | null
  gpu_idle_num?: number | null
  payg_price?: number | null
  charge_type?: string | null
  start_mode?: string | null
  status_at?: string | null
  stopped_at?: NullTime | null
  started_at?: NullTime | null
}

/** `data` of `POST /api/v1/instance`; an account without instances may answer `list: null`. Items are checked one by one ({@link checkInstance}). */
export interface InstancePage {
  list: unknown[] | null
  page_index?: number | null
  page_size?: number | null
  max_page: number
  result_total?: number | null
}

// Every optional field may be null; only what the mapping reads is typed, unknown fields are ignored.
// (Object and number keywords apply to objects and numbers only, so a null passes them.)
const nullTime = {
  type: ['object', 'null'],
  required: ['Time', 'Valid'],
  properties: { Time: { type: 'string' }, Valid: { type: 'boolean' } }
}
const count = { type: ['integer', 'null'], minimum: 0 }
const text = { type: ['string', 'null'] }

const instanceSchema = {
  type: 'object',
  required: ['uuid', 'status'],
  properties: {
    uuid: { type: 'string', minLength: 1 },
    status: { type: 'string' },
    sub_status: text,
    name: text,
    instance_name: text,
    machine_id: text,
    machine_alias: text,
    region_sign: text,
    region_name: text,
    snapshot_gpu_alias_name: text,
    req_gpu_amount: count,
    gpu_all_num: count,
    gpu_idle_num: count,
    payg_price: { type: ['number', 'null'], minimum: 0 },
    charge_type: text,
    start_mode: text,
    status_at: text,
    stopped_at: nullTime,
    started_at: nullTime
  }
}

const instancePageSchema = {
  type: 'object',
  required: ['list', 'max_page'],
  properties: {
    list: { type: ['array', 'null'] },
    page_index: { type: ['integer', 'null'] },
    page_size: { type: ['integer', 'null'] },
    max_page: { type: 'integer', minimum: 0 },
    result_total: { type: ['integer', 'null'] }
  }
}

const loginDataSchema = { type: 'object', required: ['ticket'], properties: { ticket: { type: 'string', minLength: 1 } } }
const passportDataSchema = { type: 'object', required: ['token'], properties: { token: { type: 'string', minLength: 1 } } }

/**
 * `data` of `GET /api/v1/wallet`: `assets`, the balance in milli-yuan (thousandths of a yuan), as the
 * third-party clients read it (xiaoti12/autodl_bot divides it by 1000). Other fields are not relied on.
 */
const walletSchema = { type: 'object', required: ['assets'], properties: { assets: { type: 'integer' } } }

/**
 * `data` of `POST /api/v1/machine/region/gpu_type`: one object per GPU model, `{ "<model>": { idle_gpu_num,
 * total_gpu_num } }` (mfznttkx/autodl-gpuhunter gpuhunter/autodl_client.py `get_region_gpu_types`).
 */
const regionGpuTypesSchema = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: {
      type: 'object', required: ['idle_gpu_num', 'total_gpu_num'],
      properties: { idle_gpu_num: { type: 'integer', minimum: 0 }, total_gpu_num: { type: 'integer', minimum: 0 } }
    }
  }
}

/** One host of `POST /api/v1/user/machine/list` (gpuhunter `list_machine`): only the fields read are checked. */
export interface RawMachine {
  machine_id: string
  machine_alias: string
  region_name: string
  region_sign: string
  gpu_name: string
  gpu_idle_num: number
  /** GPUs that can be ordered now; gpuhunter rents only where both this and `gpu_idle_num` suffice. */
  gpu_order_num: number
  /** Milli-yuan per GPU-hour, like an instance's `payg_price`. */
  payg_price: number
}

const machinePageSchema = {
  type: 'object',
  required: ['list', 'max_page'],
  properties: {
    list: {
      type: ['array', 'null'],
      items: {
        type: 'object',
        required: ['machine_id', 'machine_alias', 'region_name', 'region_sign', 'gpu_name', 'gpu_idle_num', 'gpu_order_num', 'payg_price'],
        properties: {
          machine_id: { type: 'string', minLength: 1 }, machine_alias: { type: 'string' }, region_name: { type: 'string' }, region_sign: { type: 'string' },
          gpu_name: { type: 'string' }, gpu_idle_num: { type: 'integer', minimum: 0 }, gpu_order_num: { type: 'integer', minimum: 0 }, payg_price: { type: 'integer', minimum: 0 }
        }
      }
    },
    max_page: { type: 'integer', minimum: 0 }
  }
}

const ajv = new Ajv({ allErrors: false, strict: false })
const validators = {
  instancePage: ajv.compile<InstancePage>(instancePageSchema),
  instance: ajv.compile<RawInstance>(instanceSchema),
  loginData: ajv.compile<{ ticket: string }>(loginDataSchema),
  passportData: ajv.compile<{ token: string }>(passportDataSchema),
  wallet: ajv.compile<{ assets: number }>(walletSchema),
  regionGpuTypes: ajv.compile<Array<Record<string, { idle_gpu_num: number; total_gpu_num: number }>>>(regionGpuTypesSchema),
  machinePage: ajv.compile<{ list: RawMachine[] | null; max_page: number }>(machinePageSchema)
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

/**
 * Check one element of `data.list`: a valid {@link RawInstance}, or a line saying which instance (its
 * uuid, else its place) and which field is wrong — the caller skips it and warns, the others stay listed.
 */
export function checkInstance (raw: unknown, index: number): { instance: RawInstance } | { problem: string } {
  if (validators.instance(raw)) return { instance: raw }
  const uuid = typeof (raw as { uuid?: unknown } | null)?.uuid === 'string' ? (raw as { uuid: string }).uuid : null
  const field = formatAjvErrors(validators.instance.errors, uuid === null ? `list[${index}]` : '')[0] ?? 'unexpected shape'
  return { problem: uuid === null ? field : `instance ${uuid}: ${field.replace(/^\(root\)/, '(the instance)')}` }
}

/** Days an AutoDL instance may stay shut down before it is released and its data wiped (§1.6). */
export const RELEASE_AFTER_STOP_DAYS = 15

/**
 * AutoDL web status words (§1.4) → normalized states. `shutting_down` is [GUESS] for web instances;
 * `stopped` is mapped defensively like ypp977/autodl-helper does. Anything else is `unknown`.
 */
export const STATE_MAP: Readonly<Record<string, InstanceState>> = {
  creating: 'starting',
  starting: 'starting',
  re_initializing: 'starting',
  running: 'running',
  shutting_down: 'stopping',
  shutdown: 'stopped',
  stopped: 'stopped',
  abnormal: 'error'
}

/**
 * One AutoDL instance → {@link InstanceData}. Builds a new object from named fields only, so
 * `root_password`, `jupyter_token`, `ssh_command` and the other access fields cannot pass through.
 * - `name`: `name` if set, else `instance_name`, else `machine_alias` (the host), else the uuid.
 * - `gpu.hostTotal/hostIdle`: `gpu_all_num/gpu_idle_num`, GPUs of the host machine (§1.4).
 * - `releaseAt`: `stopped_at + 15 days` while shut down (§1.6).
 * - `pricePerHour`: `payg_price` is milli-yuan per hour; published in yuan.
 *
 * `times`, when given, keeps the stop and release times of each `stopped_at` from one poll to the next.
 */
export function toInstance (raw: RawInstance, times?: PollMemo<string, StopTimes>): InstanceData {
  const state = STATE_MAP[raw.status] ?? 'unknown'
  const stop = !raw.stopped_at?.Valid ? NO_STOP : times ? times.get(raw.stopped_at.Time, stopTimes) : stopTimes(raw.stopped_at.Time)
  const hasGpu = raw.gpu_all_num != null || raw.gpu_idle_num != null || raw.req_gpu_amount != null || Boolean(raw.snapshot_gpu_alias_name)
  return {
    id: raw.uuid,
    name: firstNonEmpty(raw.name, raw.instance_name, raw.machine_alias) ?? raw.uuid,
    region: firstNonEmpty(raw.region_name, raw.region_sign) ?? null,
    state,
    providerState: raw.status,
    gpu: hasGpu
      ? {
          model: firstNonEmpty(raw.snapshot_gpu_alias_name) ?? null,
          requested: raw.req_gpu_amount ?? null,
          hostTotal: raw.gpu_all_num ?? null,
          hostIdle: raw.gpu_idle_num ?? null
        }
      : null,
    stoppedAt: stop.stoppedAt,
    releaseAt: state === 'stopped' ? stop.releaseAt : null,
    pricePerHour: typeof raw.payg_price === 'number' && raw.payg_price > 0 ? raw.payg_price / 1000 : null
  }
}

/** `stoppedAt` and the `releaseAt` it implies (ISO 8601 in AutoDL's offset), or nulls. */
export interface StopTimes { stoppedAt: string | null; releaseAt: string | null }
const NO_STOP: StopTimes = { stoppedAt: null, releaseAt: null }

/** The times of a `stopped_at.Time` of a valid `sql.NullTime`. */
function stopTimes (text: string): StopTimes {
  const stopped = parseNullTime({ Time: text, Valid: true })
  if (stopped === null) return NO_STOP
  return { stoppedAt: formatOffsetTime(stopped), releaseAt: formatOffsetTime(shiftOffsetTime(stopped, RELEASE_AFTER_STOP_DAYS * 86400_000)) }
}

/** A valid `sql.NullTime` in its own offset; null when not valid, not a date-time, or Go's zero time (year 1). */
export function parseNullTime (value: NullTime | null | undefined): OffsetTime | null {
  if (!value?.Valid) return null
  const time = parseOffsetTime(value.Time)
  return time !== null && !value.Time.startsWith('0001-') ? time : null
}

function firstNonEmpty (...values: Array<string | null | undefined>): string | undefined {
  return values.find((v): v is string => typeof v === 'string' && v.trim() !== '')?.trim()
}

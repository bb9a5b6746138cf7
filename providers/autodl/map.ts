import { DateTime } from 'luxon'
import type { InstanceData, InstanceState } from '../../src/core/instance.js'
import type { NullTime, RawInstance } from './raw.js'

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
 */
export function toInstance (raw: RawInstance): InstanceData {
  const state = STATE_MAP[raw.status] ?? 'unknown'
  const stopped = parseNullTime(raw.stopped_at)
  const hasGpu = raw.gpu_all_num !== undefined || raw.gpu_idle_num !== undefined ||
    raw.req_gpu_amount !== undefined || Boolean(raw.snapshot_gpu_alias_name)
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
    stoppedAt: stopped?.toISO({ suppressMilliseconds: true }) ?? null,
    releaseAt: state === 'stopped' && stopped
      ? stopped.plus({ days: RELEASE_AFTER_STOP_DAYS }).toISO({ suppressMilliseconds: true })
      : null,
    pricePerHour: typeof raw.payg_price === 'number' && raw.payg_price > 0 ? raw.payg_price / 1000 : null
  }
}

/** A valid `sql.NullTime` as a DateTime in its own offset; null when not valid or the zero time. */
export function parseNullTime (value: NullTime | undefined): DateTime | null {
  if (!value?.Valid) return null
  const dt = DateTime.fromISO(value.Time, { setZone: true })
  return dt.isValid && dt.year > 1 ? dt : null
}

function firstNonEmpty (...values: Array<string | undefined>): string | undefined {
  return values.find(v => v !== undefined && v.trim() !== '')?.trim()
}

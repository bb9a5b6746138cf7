import { randomBytes } from 'node:crypto'
import { DateTime } from 'luxon'

/** A full AutoDL web instance record, with every field seed 000 shows (secrets included). */
export type SimInstance = Record<string, unknown> & {
  uuid: string
  machine_id: string
  status: string
  req_gpu_amount: number
  gpu_all_num: number
  gpu_idle_num: number
}

/** Seed 000's example instance, verbatim (`../shared/seeds/000_…`, "获取当前机器"). */
export const SEED_INSTANCE: SimInstance = {
  created_at: '2024-10-04T17:54:17+08:00',
  uuid: '2dee4c9145-b0f2fdc8',
  machine_id: '2dee4c9145',
  machine_alias: '641机',
  region_sign: 'beijing-E',
  region_name: '北京A区',
  rent_deadline: '2024-12-27T12:00:00+08:00',
  has_auto_panel: true,
  disk_expand_available: 321048805376,
  driver_version: '525.105.17',
  highest_cuda_version: '12.0',
  status: 'shutdown',
  sub_status: '',
  status_at: '2024-11-12T16:54:15+08:00',
  oom_killed: false,
  ssh_command: 'xxx',
  proxy_host: 'xx',
  proxy_host_ip: '',
  snapshot_gpu_alias_name: 'RTX 3090',
  root_password: 'SRfVpAGh+7xr',
  jupyter_token: 'xxx',
  jupyter_port: 0,
  tensorboard_port: 0,
  jupyter_domain: 'xx',
  tensorboard_domain: '',
  region_customer_port_visible: 'enterprise',
  ssh_port: 39451,
  image: 'xx',
  private_image_uuid: '',
  reproduction_uuid: '',
  reproduction_id: 0,
  cpu_limit: 15,
  mem_limit_in_byte: 85899345920,
  start_mode: 'gpu',
  shm_size: 42949672960,
  charge_type: 'payg',
  req_gpu_amount: 1,
  payg_price: 1577,
  expired_at: { Time: '0001-01-01T00:00:00Z', Valid: false },
  started_at: { Time: '2024-11-12T16:29:17+08:00', Valid: true },
  stopped_at: { Time: '2024-11-12T16:54:09+08:00', Valid: true },
  root_fs_used_rate: 0.3961,
  disk_health_status: 'normal',
  cpu_usage_percent: 0,
  mem_usage_percent: 0,
  mem_usage: 0,
  mem_limit: 0,
  pull_image_progress: 0,
  usage_info: {
    container_id: 'autodl-container-2dee4c9145-b0f2fdc8',
    valid_at: '2024-11-12T16:29:29.539414816+08:00',
    cpu_usage_percent: 0,
    mem_usage_percent: 0,
    mem_usage: 0,
    mem_limit: 0,
    root_fs_used_size: 12759669484,
    root_fs_total_size: 27932976913,
    data_disk_total_size: 53687091200,
    data_disk_used_size: 118784,
    storage_fs_usage: '',
    pull_image_progress: 0,
    download_image_progress: 0,
    download_oss_file_progress: 0,
    is_new: false
  },
  expand_data_disk_size: 0,
  root_fs_used_size: 12759669484,
  root_fs_total_size: 27932976913,
  storage_fs_usage: '',
  phone: '1***8',
  name: '',
  description: '',
  timed_shutdown_at: { Time: '0001-01-01T00:00:00Z', Valid: false },
  gpu_all_num: 8,
  gpu_idle_num: 1,
  machine_followed: 0,
  auto_trans_to_payg: 0,
  additional_info: {},
  machine_describe: ''
}

/**
 * What the seed instance must map to, worked out by hand from seed 000: name from `machine_alias`
 * (its `name` is empty), release = `stopped_at` + 15 days, price 1577 milli-yuan = 1.577 yuan/h.
 */
export const SEED_INSTANCE_MAPPED = {
  id: '2dee4c9145-b0f2fdc8',
  name: '641机',
  region: '北京A区',
  state: 'stopped',
  providerState: 'shutdown',
  gpu: { model: 'RTX 3090', requested: 1, hostTotal: 8, hostIdle: 1 },
  stoppedAt: '2024-11-12T16:54:09+08:00',
  releaseAt: '2024-11-27T16:54:09+08:00',
  pricePerHour: 1.577
} as const

/** AutoDL timestamps carry +08:00. */
export function autodlTime (at: Date): string {
  return DateTime.fromJSDate(at).setZone('UTC+8').set({ millisecond: 0 }).toISO({ suppressMilliseconds: true }) ?? ''
}

export function nullTime (at: Date | null): { Time: string; Valid: boolean } {
  return at ? { Time: autodlTime(at), Valid: true } : { Time: '0001-01-01T00:00:00Z', Valid: false }
}

/**
 * A realistic instance: the seed's shape with a new uuid and fresh access secrets
 * (`root_password`, `jupyter_token`, `ssh_command`) that tests search for in every output.
 */
export function makeInstance (overrides: Partial<SimInstance> & { machine_id: string }): SimInstance {
  const suffix = randomBytes(4).toString('hex')
  const uuid = overrides.uuid ?? `${overrides.machine_id}-${suffix}`
  return {
    ...structuredClone(SEED_INSTANCE),
    uuid,
    machine_alias: `${overrides.machine_id.slice(0, 3)}机`,
    name: '',
    ssh_command: `ssh -p 3${suffix.slice(0, 4)} root@connect.sim.autodl.test`,
    root_password: `RootPw-${randomBytes(6).toString('base64url')}`,
    jupyter_token: `jt_${randomBytes(12).toString('hex')}`,
    usage_info: { ...(SEED_INSTANCE['usage_info'] as object), container_id: `autodl-container-${uuid}` },
    ...overrides
  }
}

const HOUR = 3600_000
const DAY = 24 * HOUR

/**
 * The demo account's instances: the seed instance verbatim, and one instance in every state across
 * regions, with stop times relative to `now` so release countdowns look real.
 */
export function demoInstances (now: Date): SimInstance[] {
  const ago = (ms: number): Date => new Date(now.getTime() - ms)
  return [
    SEED_INSTANCE,
    makeInstance({ machine_id: 'a4090x8w01', machine_alias: '091机', region_name: '西北B区', region_sign: 'west-B', name: 'llama-finetune',
      status: 'running', snapshot_gpu_alias_name: 'RTX 4090', req_gpu_amount: 2, gpu_all_num: 8, gpu_idle_num: 0, payg_price: 3760,
      started_at: nullTime(ago(5 * HOUR)), stopped_at: nullTime(ago(3 * DAY)), status_at: autodlTime(ago(5 * HOUR)) }),
    makeInstance({ machine_id: 'a4090x8w01', machine_alias: '091机', region_name: '西北B区', region_sign: 'west-B', name: 'sd-webui',
      status: 'shutdown', snapshot_gpu_alias_name: 'RTX 4090', req_gpu_amount: 1, gpu_all_num: 8, gpu_idle_num: 0, payg_price: 1880,
      stopped_at: nullTime(ago(13 * DAY + 20 * HOUR)), status_at: autodlTime(ago(13 * DAY + 20 * HOUR)) }),
    makeInstance({ machine_id: 'a800x8nm02', machine_alias: '112机', region_name: '内蒙B区', region_sign: 'neimeng-B', name: 'a800-pretrain',
      status: 'shutdown', snapshot_gpu_alias_name: 'A800-80GB', req_gpu_amount: 4, gpu_all_num: 8, gpu_idle_num: 6, payg_price: 23200,
      stopped_at: nullTime(ago(2 * DAY)), status_at: autodlTime(ago(2 * DAY)) }),
    makeInstance({ machine_id: 'v100x4cq03', machine_alias: '017机', region_name: '重庆A区', region_sign: 'chongqing-A',
      status: 'starting', snapshot_gpu_alias_name: 'V100-32GB', req_gpu_amount: 1, gpu_all_num: 4, gpu_idle_num: 1, payg_price: 1980,
      stopped_at: nullTime(ago(6 * HOUR)), status_at: autodlTime(ago(1000)) }),
    makeInstance({ machine_id: 'l20x8bj04', machine_alias: '203机', region_name: '北京B区', region_sign: 'beijing-B', name: 'eval-box',
      status: 'shutting_down', snapshot_gpu_alias_name: 'L20', req_gpu_amount: 1, gpu_all_num: 8, gpu_idle_num: 3, payg_price: 2480,
      stopped_at: nullTime(ago(9 * DAY)), status_at: autodlTime(ago(2000)) }),
    makeInstance({ machine_id: 'a3090x8sh05', machine_alias: '355机', region_name: '芜湖区', region_sign: 'wuhu-A', name: 'broken-env',
      status: 'abnormal', snapshot_gpu_alias_name: 'RTX 3090', req_gpu_amount: 1, gpu_all_num: 8, gpu_idle_num: 2, payg_price: 1320,
      stopped_at: nullTime(null), status_at: autodlTime(ago(DAY)) }),
    makeInstance({ machine_id: 'h20x8gz06', machine_alias: '009机', region_name: '广州A区', region_sign: 'guangzhou-A', name: 'migrating-one',
      status: 'migrating', snapshot_gpu_alias_name: 'H20-NVLink', req_gpu_amount: 1, gpu_all_num: 8, gpu_idle_num: 8, payg_price: 4200,
      stopped_at: nullTime(ago(4 * DAY)), status_at: autodlTime(ago(HOUR)) }),
    makeInstance({ machine_id: 'a4090x8w07', machine_alias: '144机', region_name: '西北B区', region_sign: 'west-B', name: 'new-container',
      status: 'creating', snapshot_gpu_alias_name: 'RTX 4090', req_gpu_amount: 1, gpu_all_num: 8, gpu_idle_num: 4, payg_price: 1880,
      stopped_at: nullTime(null), started_at: nullTime(null), status_at: autodlTime(ago(60_000)) })
  ]
}

/** `count` shut-down instances spread over `hosts` machines, for paging tests and the benchmark. */
export function manyInstances (count: number, hosts = 10, now = new Date()): SimInstance[] {
  return Array.from({ length: count }, (_, i) => makeInstance({
    machine_id: `bulk${String(i % hosts).padStart(6, '0')}`,
    uuid: `bulk${String(i % hosts).padStart(6, '0')}-${String(i).padStart(8, '0')}`,
    name: `bulk-${i}`,
    status: 'shutdown',
    gpu_all_num: 8,
    gpu_idle_num: i % hosts,
    stopped_at: nullTime(new Date(now.getTime() - (i % 15) * DAY))
  }))
}

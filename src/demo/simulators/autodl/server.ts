import { createHash, randomBytes } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { Ajv } from 'ajv'
import { createSimKit, type Fault, type SeenRequest } from '../kit.js'
import { autodlTime, nullTime, type SimInstance } from './fixtures.js'

/**
 * A local AutoDL web API, as strict as seed 000's captures and the open clients that call it
 * (xiaoti12/autodl_bot `client/autodl.go`, ypp977/autodl-helper, John08066/autodl_gpu_watcher) describe:
 * - `POST /api/v1/new_login`, `/passport`, `/instance`, `/instance/power_on`, `/instance/power_off`;
 *   other methods and paths are 404; bodies must be JSON.
 * - Every answer is the envelope `{code, msg, data}`; failures are HTTP 200 with another `code`.
 * - `new_login` wants the lowercase hex SHA-1 of the password; after 3 failures it asks for a
 *   captcha. Tickets are single-use and short-lived. Tokens expire; the token goes raw in
 *   `authorization` (a `Bearer ` prefix is rejected).
 * - `page_size` is capped server-side; `max_page` follows the capped size.
 * - Power calls are asynchronous (`starting`/`shutting_down` first) and share the host's GPU pool;
 *   a GPU power-on needs `req_gpu_amount` idle GPUs on the host, no-GPU mode does not.
 * Error codes other than `Success` and `AuthorizeFailed` are not documented anywhere; the ones used
 * here are [GUESS], chosen to look like AutoDL's.
 */

export interface SimAccount {
  phone: string
  phoneArea?: string
  /** Plain password; the simulator compares its SHA-1. */
  password: string
  instances: SimInstance[]
  /** Wallet in milli-yuan; power-on with GPU answers `TORecharge` when it is not above 0. Default 100 000. */
  balance?: number
}

/** A host on the GPU market that no account rents (the accounts' own hosts are on the market too). */
export interface SimMachine {
  machine_id: string
  machine_alias: string
  region_name: string
  region_sign: string
  gpu_name: string
  gpu_all_num: number
  gpu_idle_num: number
  /** Milli-yuan per GPU-hour. */
  payg_price: number
}

export interface AutodlSimulatorOptions {
  accounts: SimAccount[]
  /** More hosts on the market (`machine/list`, `machine/region/gpu_type`). */
  market?: SimMachine[]
  /** Largest `page_size` the server honours (default 20). */
  pageSizeCap?: number
  /** Token lifetime in milliseconds (default 1 h). */
  tokenTtlMs?: number
  /** Time a power transition takes, milliseconds (default 300). */
  transitionMs?: number
  /** Extra latency of every answer, milliseconds (default 0). */
  latencyMs?: number
  /** Failed logins after which a captcha is required (default 3). */
  captchaAfter?: number
  /**
   * How an expired token is answered: `code` — `AuthorizeFailed` (xiaoti12/autodl_bot); `message` — another
   * failing code whose `msg` says the login timed out (John08066/autodl_gpu_watcher reads it so). Default `code`.
   */
  expiryAnswer?: 'code' | 'message'
  port?: number
}

/** A kit fault (an HTTP answer of its own included), AutoDL's expiry answer, or an AutoDL error envelope `{code, msg}`. */
export type SimFault = Fault | 'authorizeFailed' | 'expiredMessage' | { code: string; msg: string }

export interface AutodlSimulator {
  /** Base URL, e.g. `http://127.0.0.1:43210`. */
  url: string
  /** Request counters by path, plus successful logins. */
  stats: { requests: Record<string, number>; logins: number; failedLogins: number }
  /** The last 1000 requests, in order (path, headers, body) — for asserting what the client sent. */
  requests: SeenRequest[]
  /** Invalidate every issued token (the next call answers `AuthorizeFailed`). */
  expireTokens (): void
  /** Make the next `times` answers of `path` fail with `fault`. */
  inject (path: string, fault: SimFault, times?: number): void
  /** The live record of an instance. */
  instance (uuid: string): SimInstance | undefined
  /** Set idle GPUs of a host machine. */
  setHostIdle (machineId: string, idle: number): void
  /** Set an account's wallet, milli-yuan (a top-up, a spend). */
  setBalance (phone: string, milliYuan: number): void
  /** From now on, powering this instance off does not update its `stopped_at` (a keep-alive that does not reset the clock). */
  freezeStoppedAt (uuid: string): void
  /** Shut an instance down as if it had stopped at `stoppedAt` (a change made elsewhere: the console, another tool). */
  shutDown (uuid: string, stoppedAt: Date): void
  close (): Promise<void>
}

const AUTHORIZE_FAILED = { code: 'AuthorizeFailed', data: null, msg: '登陆超时，请重新登录; 登录超时，请重新登录' }
/** The other expiry form: a code other clients do not name ([GUESS]) with the expiry text they look for. */
const EXPIRED_MESSAGE = { code: 'Unauthorized', data: null, msg: '登录超时，请重新登录' }

/**
 * An instance as AutoDL's Go backend renders it: empty optional strings and unset times as `null`
 * (nil pointers), not as `""` or a zero `NullTime` — clients must tolerate both.
 */
function render (instance: SimInstance, host: { total: number; idle: number }): Record<string, unknown> {
  const out: Record<string, unknown> = { ...instance, gpu_all_num: host.total, gpu_idle_num: host.idle }
  for (const key of ['sub_status', 'name', 'snapshot_gpu_alias_name']) if (out[key] === '') out[key] = null
  for (const key of ['stopped_at', 'started_at']) if ((out[key] as { Valid?: boolean } | undefined)?.Valid === false) out[key] = null
  return out
}

const schemas = {
  '/api/v1/new_login': {
    type: 'object',
    required: ['phone', 'password', 'v_code', 'phone_area', 'picture_id'],
    properties: { phone: { type: 'string' }, password: { type: 'string' }, v_code: { type: 'string' }, phone_area: { type: 'string' }, picture_id: { type: ['string', 'null'] } }
  },
  '/api/v1/passport': { type: 'object', required: ['ticket'], properties: { ticket: { type: 'string' } } },
  '/api/v1/instance': {
    type: 'object',
    required: ['page_index', 'page_size'],
    properties: {
      date_from: { type: 'string' }, date_to: { type: 'string' }, page_index: { type: 'integer', minimum: 1 },
      page_size: { type: 'integer', minimum: 1 }, status: { type: 'array', items: { type: 'string' } }, charge_type: { type: 'array', items: { type: 'string' } }
    }
  },
  '/api/v1/instance/power_on': {
    type: 'object',
    required: ['instance_uuid'],
    additionalProperties: false,
    properties: { instance_uuid: { type: 'string', minLength: 1 }, payload: { enum: ['gpu', 'non_gpu'] } }
  },
  '/api/v1/instance/power_off': {
    type: 'object', required: ['instance_uuid'], additionalProperties: false, properties: { instance_uuid: { type: 'string', minLength: 1 } }
  },
  // gpuhunter's bodies (mfznttkx/autodl-gpuhunter gpuhunter/autodl_client.py); that an empty region list is refused is [GUESS].
  '/api/v1/machine/region/gpu_type': {
    type: 'object', required: ['region_sign_list'], properties: { region_sign_list: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } } }
  },
  '/api/v1/user/machine/list': {
    type: 'object',
    required: ['charge_type', 'region_sign_list', 'gpu_type_name', 'gpu_idle_num', 'page_index', 'page_size'],
    properties: {
      charge_type: { enum: ['payg'] }, region_sign_list: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
      gpu_type_name: { type: 'array', items: { type: 'string' } }, gpu_idle_num: { type: 'integer', minimum: 0 },
      page_index: { type: 'integer', minimum: 1 }, page_size: { type: 'integer', minimum: 1 }
    }
  }
} as const

type Path = keyof typeof schemas

interface Session { phone: string; expiresAt: number }

export async function startAutodlSimulator (options: AutodlSimulatorOptions): Promise<AutodlSimulator> {
  const pageSizeCap = options.pageSizeCap ?? 20
  const tokenTtlMs = options.tokenTtlMs ?? 3600_000
  const transitionMs = options.transitionMs ?? 300
  const captchaAfter = options.captchaAfter ?? 3
  const accounts = new Map(options.accounts.map(a => [a.phone, { ...a, balance: a.balance ?? 100_000, instances: a.instances.map(i => structuredClone(i)) }]))
  const hosts = new Map<string, { total: number; idle: number }>()
  /** The market: every host, with what `machine/list` shows of it (idle counts live in `hosts`). */
  const machines = new Map<string, Omit<SimMachine, 'gpu_all_num' | 'gpu_idle_num'>>()
  for (const account of accounts.values()) {
    for (const i of account.instances) {
      if (!hosts.has(i.machine_id)) hosts.set(i.machine_id, { total: i.gpu_all_num, idle: i.gpu_idle_num })
      if (!machines.has(i.machine_id)) {
        machines.set(i.machine_id, {
          machine_id: i.machine_id, machine_alias: String(i['machine_alias']), region_name: String(i['region_name']), region_sign: String(i['region_sign']),
          gpu_name: String(i['snapshot_gpu_alias_name']), payg_price: Number(i['payg_price'])
        })
      }
    }
  }
  for (const m of options.market ?? []) {
    hosts.set(m.machine_id, { total: m.gpu_all_num, idle: m.gpu_idle_num })
    machines.set(m.machine_id, m)
  }
  const tickets = new Map<string, { phone: string; expiresAt: number }>()
  const sessions = new Map<string, Session>()
  const failures = new Map<string, number>()
  const timers = new Set<NodeJS.Timeout>()
  const frozen = new Set<string>()
  const kit = createSimKit()
  const stats = { requests: kit.counts, logins: 0, failedLogins: 0 }
  const ajv = new Ajv({ strict: false })
  const validators = Object.fromEntries(Object.entries(schemas).map(([p, s]) => [p, ajv.compile(s)])) as Record<Path, ReturnType<typeof ajv.compile>>

  const later = (fn: () => void): void => {
    const t = setTimeout(() => { timers.delete(t); fn() }, transitionMs)
    timers.add(t)
  }
  const ok = (data: unknown = null): object => ({ code: 'Success', data, msg: '' })
  const fail = (code: string, msg: string): object => ({ code, data: null, msg })
  const findInstance = (phone: string, uuid: string): SimInstance | undefined => accounts.get(phone)?.instances.find(i => i.uuid === uuid)

  const handlers: Record<Path, (body: any, phone: string | null) => object> = {
    '/api/v1/new_login': (body) => {
      const account = accounts.get(body.phone)
      const failed = failures.get(body.phone) ?? 0
      if (failed >= captchaAfter && body.v_code === '') return fail('NeedVerifyCode', '请输入图形验证码') // [GUESS]
      const expected = account ? createHash('sha1').update(account.password).digest('hex') : null
      if (!account || body.password !== expected || body.phone_area !== (account.phoneArea ?? '+86')) {
        failures.set(body.phone, failed + 1)
        stats.failedLogins++
        return fail('LoginFailed', '手机号或密码错误') // [GUESS]
      }
      failures.delete(body.phone)
      const ticket = randomBytes(16).toString('hex')
      tickets.set(ticket, { phone: account.phone, expiresAt: Date.now() + 60_000 })
      return ok({ ticket, user: { id: 369499, username: '炼丹师', phone: `${account.phone.slice(0, 1)}***${account.phone.slice(-1)}`, phone_area: account.phoneArea ?? '+86' } })
    },
    '/api/v1/passport': (body) => {
      const ticket = tickets.get(body.ticket)
      tickets.delete(body.ticket)
      if (!ticket || ticket.expiresAt < Date.now()) return fail('TicketInvalid', 'ticket无效或已过期') // [GUESS]
      const token = `eyJ${randomBytes(24).toString('base64url')}.${randomBytes(24).toString('base64url')}`
      sessions.set(token, { phone: ticket.phone, expiresAt: Date.now() + tokenTtlMs })
      stats.logins++
      return ok({ token })
    },
    '/api/v1/instance': (body, phone) => {
      const all = accounts.get(phone!)!.instances
      const size = Math.min(body.page_size, pageSizeCap)
      const offset = (body.page_index - 1) * size
      const list = all.slice(offset, offset + size).map(i => render(i, hosts.get(i.machine_id)!))
      // An account without instances: Go marshals its nil slice as null.
      return ok({ list: all.length === 0 ? null : list, page_index: body.page_index, page_size: size, offset, max_page: Math.ceil(all.length / size), result_total: all.length, page: body.page_index })
    },
    '/api/v1/instance/power_on': (body, phone) => {
      const inst = findInstance(phone!, body.instance_uuid)
      if (!inst) return fail('InstanceNotFound', '实例不存在') // [GUESS]
      if (inst.status !== 'shutdown') return fail('InstanceStatusNotAllowed', '当前实例状态不允许开机') // [GUESS]
      const noGpu = body.payload === 'non_gpu'
      const host = hosts.get(inst.machine_id)!
      if (!noGpu && accounts.get(phone!)!.balance <= 0) return fail('TORecharge', '余额不足，请充值') // [GUESS] code from §1.2
      if (!noGpu && host.idle < inst.req_gpu_amount) return fail('MachineGpuNotEnough', '主机GPU不足，可使用无卡模式开机') // [GUESS]
      if (!noGpu) host.idle -= inst.req_gpu_amount
      Object.assign(inst, { status: 'starting', status_at: autodlTime(new Date()), start_mode: noGpu ? 'non_gpu' : 'gpu' })
      later(() => { if (inst.status === 'starting') Object.assign(inst, { status: 'running', status_at: autodlTime(new Date()), started_at: nullTime(new Date()) }) })
      return ok()
    },
    '/api/v1/machine/region/gpu_type': (body) => {
      const byGpu = new Map<string, { idle_gpu_num: number; total_gpu_num: number }>()
      for (const m of machines.values()) {
        if (!body.region_sign_list.includes(m.region_sign)) continue
        const host = hosts.get(m.machine_id)!
        const c = byGpu.get(m.gpu_name) ?? { idle_gpu_num: 0, total_gpu_num: 0 }
        byGpu.set(m.gpu_name, { idle_gpu_num: c.idle_gpu_num + host.idle, total_gpu_num: c.total_gpu_num + host.total })
      }
      return ok([...byGpu].sort(([a], [b]) => a.localeCompare(b)).map(([gpu, c]) => ({ [gpu]: c })))
    },
    '/api/v1/user/machine/list': (body) => {
      const all = [...machines.values()]
        .filter(m => body.region_sign_list.includes(m.region_sign) && (body.gpu_type_name.length === 0 || body.gpu_type_name.includes(m.gpu_name)) && hosts.get(m.machine_id)!.idle >= body.gpu_idle_num)
        .map(m => {
          const idle = hosts.get(m.machine_id)!.idle
          return { ...m, machine_name: `agent-${m.machine_id}`, gpu_idle_num: idle, gpu_order_num: idle, highest_cuda_version: '12.2', cpu_per_gpu: 16, mem_per_gpu: 64 * 1024 ** 3, payg: true }
        })
      const size = Math.min(body.page_size, pageSizeCap)
      const offset = (body.page_index - 1) * size
      return ok({ list: all.length === 0 ? null : all.slice(offset, offset + size), page_index: body.page_index, page_size: size, max_page: Math.ceil(all.length / size), result_total: all.length })
    },
    '/api/v1/instance/power_off': (body, phone) => {
      const inst = findInstance(phone!, body.instance_uuid)
      if (!inst) return fail('InstanceNotFound', '实例不存在') // [GUESS]
      if (inst.status !== 'running' && inst.status !== 'starting') return fail('InstanceStatusNotAllowed', '当前实例状态不允许关机') // [GUESS]
      Object.assign(inst, { status: 'shutting_down', status_at: autodlTime(new Date()) })
      later(() => {
        if (inst.start_mode !== 'non_gpu') hosts.get(inst.machine_id)!.idle += inst.req_gpu_amount
        Object.assign(inst, { status: 'shutdown', status_at: autodlTime(new Date()), ...(frozen.has(inst.uuid) ? {} : { stopped_at: nullTime(new Date()) }) })
      })
      return ok()
    }
  }

  // Third-party clients (xiaoti12/autodl_bot, JarvisFree/autodl-sdk): GET, the token in `Authorization`, `data.assets` in milli-yuan.
  kit.app.get('/api/v1/wallet', async (request: FastifyRequest) => {
    if (options.latencyMs) await new Promise(resolve => setTimeout(resolve, options.latencyMs))
    const session = sessions.get(String(request.headers.authorization ?? ''))
    if (!session || session.expiresAt < Date.now()) return options.expiryAnswer === 'message' ? EXPIRED_MESSAGE : AUTHORIZE_FAILED
    return ok({ assets: accounts.get(session.phone)!.balance })
  })
  for (const path of Object.keys(schemas) as Path[]) {
    kit.app.post(path, async (request: FastifyRequest) => {
      if (options.latencyMs) await new Promise(resolve => setTimeout(resolve, options.latencyMs))
      let phone: string | null = null
      if (path !== '/api/v1/new_login' && path !== '/api/v1/passport') {
        const session = sessions.get(String(request.headers.authorization ?? ''))
        if (!session || session.expiresAt < Date.now()) return options.expiryAnswer === 'message' ? EXPIRED_MESSAGE : AUTHORIZE_FAILED
        phone = session.phone
      }
      if (!validators[path](request.body)) return fail('InvalidParams', '参数错误') // [GUESS]
      return handlers[path](request.body, phone)
    })
  }
  const url = await kit.listen(options.port)

  return {
    url,
    stats,
    requests: kit.requests,
    expireTokens: () => { for (const s of sessions.values()) s.expiresAt = 0 },
    inject: (path, fault, times = 1) => {
      kit.inject(path, fault === 'authorizeFailed'
        ? { status: 200, body: AUTHORIZE_FAILED }
        : fault === 'expiredMessage' ? { status: 200, body: EXPIRED_MESSAGE }
        : typeof fault === 'object' && 'code' in fault ? { status: 200, body: { code: fault.code, data: null, msg: fault.msg } } : fault, times)
    },
    instance: (uuid) => {
      for (const a of accounts.values()) {
        const found = a.instances.find(i => i.uuid === uuid)
        if (found) return { ...found, gpu_all_num: hosts.get(found.machine_id)!.total, gpu_idle_num: hosts.get(found.machine_id)!.idle }
      }
      return undefined
    },
    setHostIdle: (machineId, idle) => { const h = hosts.get(machineId); if (h) h.idle = idle },
    setBalance: (phone, milliYuan) => { const a = accounts.get(phone); if (a) a.balance = milliYuan },
    freezeStoppedAt: (uuid) => { frozen.add(uuid) },
    shutDown: (uuid, stoppedAt) => {
      for (const a of accounts.values()) {
        const inst = a.instances.find(i => i.uuid === uuid)
        if (inst) Object.assign(inst, { status: 'shutdown', status_at: autodlTime(stoppedAt), stopped_at: nullTime(stoppedAt) })
      }
    },
    close: async () => {
      for (const t of timers) clearTimeout(t)
      await kit.close()
    }
  }
}

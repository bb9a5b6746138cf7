import { randomBytes, randomUUID } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { createSimKit, type Fault, type SeenRequest } from '../kit.js'

/** A VM as the server keeps it. */
export interface SimVm {
  id: string
  name: string
  status: number
  /** Milliseconds since the epoch. */
  expirationTime: number
  imageName: string
  core: string
  memory: string
  cpuUsage: number
  /** Not part of the API's instance; here to prove it never leaks. */
  vncPassword: string
}

export interface ComputeshareSimulatorOptions {
  users: Array<{ username: string; password: string }>
  vms: SimVm[]
  /** Time a start/stop takes, milliseconds (default 200). */
  transitionMs?: number
}

export interface ComputeshareSimulator {
  url: string
  stats: { logins: number; requests: Record<string, number> }
  requests: SeenRequest[]
  vm (id: string): SimVm | undefined
  /** Invalidate every issued token (the next call gets HTTP 401 "JWT token has expired"). */
  expireTokens (): void
  inject (route: string, fault: Fault, times?: number): void
  close (): Promise<void>
}

const kratos = (code: number, reason: string, message: string): object => ({ code, reason, message, metadata: {} })

/**
 * A local computeshare API as seed 001 and tntlinking-computeshare/computeshare-server (branch
 * feature/cycle) have it, under the public `/api` prefix (computeshare-frontend `script/default.conf`): `POST /api/v1/user/loginWithClient`, `GET /api/v1/instance`, `PUT
 * /api/v1/instance/{id}/start|stop` (JSON body required), `POST /api/v1/sandbox`. Success is `{code:
 * 200, message: "success", data}`; errors are kratos `{code, reason, message, metadata}` with HTTP status
 * = code (go-kratos/kratos `transport/http/codec.go`), plain Go errors 500 with an empty reason; a
 * missing, bad or expired token is 401 (kratos `middleware/auth/jwt/jwt.go`). int64 fields
 * (`expirationTime`, `StatsTime`) are strings (protojson, kratos `encoding/json/json.go`); routes from
 * `api/compute/v1/*.proto`.
 */
export async function startComputeshareSimulator (options: ComputeshareSimulatorOptions): Promise<ComputeshareSimulator> {
  const kit = createSimKit()
  const { app } = kit
  const transitionMs = options.transitionMs ?? 200
  const stats = { logins: 0, requests: kit.counts }
  const tokens = new Map<string, { username: string; valid: boolean }>()
  const owner = new Map(options.vms.map(vm => [vm.id, options.users[0]?.username ?? '']))
  const timers = new Set<NodeJS.Timeout>()
  const later = (fn: () => void): void => { const t = setTimeout(() => { timers.delete(t); fn() }, transitionMs); timers.add(t) }
  const ok = (data: unknown = null): object => ({ code: 200, message: 'success', data })

  const user = async (request: FastifyRequest, reply: FastifyReply): Promise<string | null> => {
    const header = String(request.headers.authorization ?? '')
    const match = /^bearer (\S+)$/i.exec(header)
    if (!match) { await reply.code(401).send(kratos(401, 'UNAUTHORIZED', 'JWT token is missing')); return null }
    const session = tokens.get(match[1]!)
    if (!session) { await reply.code(401).send(kratos(401, 'UNAUTHORIZED', 'Token is invalid')); return null }
    if (!session.valid) { await reply.code(401).send(kratos(401, 'UNAUTHORIZED', 'JWT token has expired')); return null }
    return session.username
  }
  const needsJson = async (request: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
      await reply.code(400).send(kratos(400, 'CODEC', 'unsupported content type'))
      return false
    }
    return true
  }
  const render = (vm: SimVm): object => ({
    id: vm.id, name: vm.name, status: vm.status, expirationTime: String(vm.expirationTime), imageName: vm.imageName, core: vm.core, memory: vm.memory,
    // protojson renders int64 as a string: epoch milliseconds (api/compute/v1/compute_instance.proto, InstanceStats).
    stats: [{ id: randomUUID(), cpuUsage: vm.cpuUsage, memoryUsage: 31.5, StatsTime: String(Date.now()) }],
    containerId: '', command: '', agentId: randomUUID(), imageId: 1
  })

  app.post('/api/v1/user/loginWithClient', async (request, reply) => {
    if (!await needsJson(request, reply)) return reply
    const body = request.body as { username?: string; password?: string }
    const account = options.users.find(u => u.username === body?.username)
    // Upstream looks the user up with ent and returns its error as is: kratos makes that HTTP 500 with an empty reason.
    if (!account) return await reply.code(500).send(kratos(500, '', 'ent: user not found'))
    if (account.password !== body.password) return await reply.code(400).send(kratos(400, 'PASSWORD_ERROR', '密码错误'))
    const claims = Buffer.from(JSON.stringify({ UserID: account.username, exp: Math.floor(Date.now() / 1000) + 20 * 365 * 86400 })).toString('base64url')
    const token = `eyJhbGciOiJIUzI1NiJ9.${claims}.${randomBytes(16).toString('base64url')}`
    tokens.set(token, { username: account.username, valid: true })
    stats.logins++
    return ok({ token })
  })
  app.get('/api/v1/instance', async (request, reply) => {
    const username = await user(request, reply)
    if (username === null) return reply
    return ok(options.vms.filter(vm => owner.get(vm.id) === username).map(render))
  })
  for (const action of ['start', 'stop'] as const) {
    app.put(`/api/v1/instance/:id/${action}`, async (request, reply) => {
      const username = await user(request, reply)
      if (username === null) return reply
      if (!await needsJson(request, reply)) return reply
      const vm = options.vms.find(v => v.id === (request.params as { id: string }).id)
      if (!vm || owner.get(vm.id) !== username) return await reply.code(500).send(kratos(500, '', 'ent: compute_instance not found'))
      // Start and stop do not check the current state (§3.4).
      vm.status = action === 'start' ? 2 : 3
      later(() => { vm.status = action === 'start' ? 1 : 4 })
      return { code: 200, message: 'success' }
    })
  }
  // Spec prices (feature/cycle: `GET /v1/compute/spec/price?specId=` → ComputeSpecPrice {day, cycle}); the values are [GUESS].
  const SPEC_PRICES: Record<number, { day: number; cycle: number }> = { 1: { day: 30, cycle: 100 }, 2: { day: 30, cycle: 180 } }
  app.get('/api/v1/compute/spec/price', async (request, reply) => {
    const username = await user(request, reply)
    if (username === null) return reply
    const price = SPEC_PRICES[Number((request.query as { specId?: string }).specId)]
    if (!price) return await reply.code(500).send(kratos(500, '', 'ent: compute_spec_price not found'))
    return ok(price)
  })
  app.post('/api/v1/sandbox', async (request, reply) => {
    const username = await user(request, reply)
    if (username === null) return reply
    if (!await needsJson(request, reply)) return reply
    const body = request.body as { instance?: Record<string, unknown> & { specId?: number; imageId?: number; name?: string; dockerCompose?: string }; networkMapping?: Array<{ name: string; protocol: string; computerPort: number }> }
    const spec = body?.instance
    // Stricter than upstream, which drops unknown fields silently: a client still sending the removed
    // `duration` (commit 77135a0) believes it chooses a term it does not get.
    if (spec && 'duration' in spec) return await reply.code(400).send(kratos(400, 'PARAMS_ERROR', 'duration is not a field of CreateInstanceRequest (removed in 77135a0)'))
    if (!spec || ![1, 2].includes(spec.specId ?? 0) || spec.imageId !== 1 || !spec.name) {
      return await reply.code(400).send(kratos(400, 'PARAMS_ERROR', '参数错误')) // [GUESS] reason
    }
    if (spec.dockerCompose && Buffer.from(spec.dockerCompose, 'base64').toString('base64') !== spec.dockerCompose) {
      return await reply.code(400).send(kratos(400, 'PARAMS_ERROR', 'dockerCompose 不是 base64'))
    }
    const vm: SimVm = {
      id: randomUUID(), name: spec.name, status: 0, expirationTime: Date.now() + SPEC_PRICES[spec.specId!]!.day * 86400_000, imageName: 'ubuntu:20.04',
      core: spec.specId === 1 ? '2' : '4', memory: spec.specId === 1 ? '4' : '8', cpuUsage: 0, vncPassword: randomBytes(6).toString('hex')
    }
    options.vms.push(vm)
    owner.set(vm.id, username)
    later(() => { vm.status = 1 })
    return ok({
      instanceId: vm.id,
      networkMappings: (body.networkMapping ?? []).map((m, i) => ({ id: randomUUID(), name: m.name, computerPort: m.computerPort, serverIp: '61.172.179.73', serverPort: 41071 + i }))
    })
  })

  const url = await kit.listen()
  return {
    url: `${url}/api`,
    stats,
    requests: kit.requests,
    vm: (id) => options.vms.find(v => v.id === id),
    expireTokens: () => { for (const t of tokens.values()) t.valid = false },
    inject: kit.inject,
    close: async () => { for (const t of timers) clearTimeout(t); await kit.close() }
  }
}

/** VMs in every status: running, closed, expired, deleted (dropped), an unknown status, and one expiring soon. */
export function computeshareSampleVms (now = Date.now()): SimVm[] {
  const vm = (name: string, status: number, expiresInDays: number, cpuUsage = 0): SimVm => ({
    id: randomUUID(), name, status, expirationTime: now + expiresInDays * 86400_000, imageName: 'ubuntu:20.04', core: '2', memory: '4',
    cpuUsage, vncPassword: `vnc-${randomBytes(6).toString('hex')}`
  })
  return [
    vm('build-runner', 1, 20, 37.5),
    vm('staging', 4, 9),
    vm('old-trial', 8, -3),
    vm('gone', 7, -30),
    vm('odd-one', 42, 5),
    vm('renew-me', 1, 2, 5)
  ]
}

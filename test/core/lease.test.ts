import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { fencedWrite } from '../../src/core/fence.js'
import { LeaderLease } from '../../src/core/lease.js'
import { startRedis, type Redis } from '../helpers/redis.js'
import { captureLog } from '../helpers/log.js'
import { waitForLine } from '../helpers/cli.js'
import { until } from '../helpers/until.js'

const HOLDER = fileURLToPath(new URL('../fixtures/lease-holder.mjs', import.meta.url))
// Long enough that a loaded CI machine (event-loop stalls over a second) does not depose a healthy leader.
const LEASE_MS = 2500

function lease (t: Test, redis: Redis, hostId: string): LeaderLease {
  const l = new LeaderLease({ redis, prefix: 'cw:', hostId, leaseMs: LEASE_MS, log: captureLog().log })
  t.teardown(() => l.stop())
  return l
}

/** The lease-holder fixture in its own process; its stdout lines are collected. */
function holder (t: Test, url: string) {
  const child = spawn(process.execPath, [HOLDER, url, String(LEASE_MS)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const lines: string[] = []
  child.stdout!.on('data', chunk => lines.push(...String(chunk).split('\n').filter(Boolean)))
  t.teardown(() => { child.kill('SIGCONT'); child.kill('SIGKILL') })
  return { child, lines }
}

const server = await startRedis(t)
if (!server) {
  t.plan(0, 'redis-server not found: apt-get install -y redis-server (.ci/run installs it)')
} else {
  t.test('one of two hosts leads; a stop hands over at once with the next fencing token; a stale token cannot write', async t => {
    const redis = await server.client()
    const a = lease(t, redis, 'host-a')
    const b = lease(t, await server.client(), 'host-b')
    const elected: string[] = []
    a.on('elected', token => elected.push(`a ${token}`))
    b.on('elected', token => elected.push(`b ${token}`))
    await a.start()
    await until(() => a.isLeader(), 'a leads', LEASE_MS)
    await b.start()
    await new Promise(resolve => setTimeout(resolve, LEASE_MS))
    t.equal(b.isLeader(), false, 'never two leaders')
    t.equal(await b.leader(), 'host-a')
    await a.fencedSet('cw:state', 'from a')
    const oldToken = a.token!
    await a.stop()
    await until(() => b.isLeader(), 'b takes over', LEASE_MS)
    t.same(elected, [`a ${oldToken}`, `b ${oldToken + 1}`], 'each lease a new token')
    t.equal(await b.leader(), 'host-b')
    await t.rejects(a.fencedSet('cw:state', 'stale'), { code: 'CW_ERR_STORE', message: /not the leader/ }, 'a host that stepped down does not write')
    // Even with its old token in hand (a leader that has not noticed yet), Redis refuses the write.
    let refused = 0
    await t.rejects(fencedWrite(redis, { fenceKey: 'cw:fence', token: oldToken, refused: () => { refused++ } }, 'cw:state', { set: 'stale' }),
      { code: 'CW_ERR_STORE', message: /fencing token \d+ is stale/ })
    t.equal(refused, 1)
    await b.fencedSet('cw:state', 'from b')
    t.equal(await redis.get('cw:state'), 'from b')
  })

  t.test('kill -9 of the leader: another host takes over within two lease periods', async t => {
    const redis = await server.client()
    await redis.flushAll()
    const child = holder(t, server.url)
    await waitForLine(child.lines, /^elected \d+$/)
    const contender = lease(t, redis, 'host-b')
    await contender.start()
    await new Promise(resolve => setTimeout(resolve, 300))
    t.equal(contender.isLeader(), false)
    child.child.kill('SIGKILL')
    await until(() => contender.isLeader(), 'the takeover', 2 * LEASE_MS)
    t.pass('taken over within two lease periods')
  })

  t.test('a leader paused past its lease (SIGSTOP, SIGCONT) steps down before it writes anything; its writes would be refused', async t => {
    const redis = await server.client()
    await redis.flushAll()
    const child = holder(t, server.url)
    await waitForLine(child.lines, /^wrote$/)
    child.child.kill('SIGSTOP')
    const contender = lease(t, redis, 'host-b')
    await contender.start()
    await until(() => contender.isLeader(), 'the takeover while the leader is paused', 2 * LEASE_MS + 1000)
    await contender.fencedSet('cw:written', 'contender')
    const before = child.lines.length
    child.child.kill('SIGCONT')
    await until(() => child.lines.slice(before).includes('deposed'), 'the paused host steps down', 2000)
    await new Promise(resolve => setTimeout(resolve, 500))
    t.notOk(child.lines.slice(before).includes('wrote'), 'it wrote nothing after waking up')
    t.equal(await redis.get('cw:written'), 'contender', 'the new leader\'s write stands')
    t.equal(await contender.leader(), 'host-b')
  })
}

import t from 'tap'
import type { ActionRecord } from '../../src/actions/record.js'
import { ActionService } from '../../src/actions/service.js'
import { autodlWorld } from '../helpers/autodl-world.js'
import { makeInstance, nullTime } from '../../src/demo/simulators/autodl/fixtures.js'

const operator = { kind: 'telegram' as const, userId: 1, name: 'op' }
const DAY = 86400_000

function instances () {
  return [
    makeInstance({ uuid: 'host1-off', machine_id: 'host1', name: 'off-one', status: 'shutdown', req_gpu_amount: 1, gpu_all_num: 8, gpu_idle_num: 2, stopped_at: nullTime(new Date(Date.now() - 10 * DAY)) }),
    makeInstance({ uuid: 'host2-busy', machine_id: 'host2', name: 'no-gpu-left', status: 'shutdown', req_gpu_amount: 2, gpu_all_num: 8, gpu_idle_num: 1 }),
    makeInstance({ uuid: 'host3-on', machine_id: 'host3', name: 'on-one', status: 'running', req_gpu_amount: 1, gpu_all_num: 4, gpu_idle_num: 0 })
  ]
}

t.test('power on with GPU: accepted, followed to running, audited', async t => {
  // A transition of 25 looks: the follow sees "starting" even on a loaded machine.
  const { actions, audit, simulator } = await autodlWorld(t, instances(), { transitionMs: 500 })
  const updates: ActionRecord[] = []
  actions.on('update', r => updates.push(r))
  const started = await actions.start({ kind: 'power-on', providerId: 'lab', instanceId: 'host1-off', actor: operator, viewer: 'all' })
  t.match(started, { status: 'running', kind: 'power-on', mode: 'gpu', instanceName: 'off-one', step: 'waiting for running' })
  t.same(simulator.requests.filter(r => r.path === '/api/v1/instance/power_on').map(r => r.body), [{ instance_uuid: 'host1-off' }])
  const done = await actions.settled(started.id)
  t.match(done, { status: 'succeeded', instanceState: 'running', error: null })
  t.ok(updates.some(u => u.instanceState === 'starting'), 'the starting state was seen on the way')
  const log = await audit.list({ visible: () => true })
  t.same(log.map(e => [e.action, e.result]), [['power-on', 'succeeded'], ['power-on', 'requested']])
  t.same(log[0]?.actor, operator)
})

t.test('power on in no-GPU mode and power off', async t => {
  const { actions, simulator } = await autodlWorld(t, instances())
  const on = await actions.start({ kind: 'power-on', mode: 'no_gpu', providerId: 'lab', instanceId: 'host2-busy', actor: operator, viewer: 'all' })
  t.match(await actions.settled(on.id), { status: 'succeeded' })
  t.same(simulator.requests.filter(r => r.path === '/api/v1/instance/power_on').at(-1)?.body, { instance_uuid: 'host2-busy', payload: 'non_gpu' })
  const off = await actions.start({ kind: 'power-off', providerId: 'lab', instanceId: 'host3-on', actor: operator, viewer: 'all' })
  t.match(await actions.settled(off.id), { status: 'succeeded', instanceState: 'stopped', mode: null })
})

t.test('refusals: not enough idle GPUs (with the numbers), already running, unknown instance, unsupported, busy', async t => {
  const { actions, audit } = await autodlWorld(t, instances())
  const gpu = await actions.start({ kind: 'power-on', providerId: 'lab', instanceId: 'host2-busy', actor: operator, viewer: 'all' }).catch(e => e)
  t.match(gpu, { code: 'CW_ERR_CONFLICT', statusCode: 409, details: { hostIdle: 1, hostTotal: 8, requested: 2 } })
  t.match(gpu.message, 'the host of no-gpu-left has 1 of 8 GPUs idle and the instance needs 2: power on in no-GPU mode, or watch for a free GPU')
  t.match(await actions.start({ kind: 'power-on', providerId: 'lab', instanceId: 'host3-on', actor: operator, viewer: 'all' }).catch(e => e), { code: 'CW_ERR_CONFLICT', message: 'on-one is already running' })
  t.match(await actions.start({ kind: 'power-off', providerId: 'lab', instanceId: 'host1-off', actor: operator, viewer: 'all' }).catch(e => e), { code: 'CW_ERR_CONFLICT' })
  t.match(await actions.start({ kind: 'power-on', providerId: 'lab', instanceId: 'nope', actor: operator, viewer: 'all' }).catch(e => e), { code: 'CW_ERR_NOT_FOUND', statusCode: 404 })
  t.match(await actions.start({ kind: 'power-on', providerId: 'other', instanceId: 'x', actor: operator, viewer: 'all' }).catch(e => e), { code: 'CW_ERR_NOT_FOUND' })
  t.match(await actions.start({ kind: 'power-on', providerId: 'lab', instanceId: 'host1-off', actor: operator, viewer: { telegramUserId: 5 } }).then(() => null, e => e), null,
    'a shared entry is visible to any viewer')
  const busy = await actions.start({ kind: 'power-off', providerId: 'lab', instanceId: 'host1-off', actor: operator, viewer: 'all' }).catch(e => e)
  t.match(busy, { code: 'CW_ERR_CONFLICT', message: /another action is in progress/ })
  const refused = (await audit.list({ visible: () => true, limit: 100 })).filter(e => e.result === 'refused')
  t.ok(refused.length >= 5, 'refusals are audited too')
  t.match(refused.find(e => e.detail?.includes('idle')), { actor: operator, action: 'power-on', target: { provider: 'lab', instanceId: 'host2-busy' } })
})

t.test('a lost answer is never repeated: the list is read again first', async t => {
  const { actions, simulator } = await autodlWorld(t, instances())
  // The request never arrived (connection reset before the server handled it).
  simulator.inject('/api/v1/instance/power_on', 'reset')
  const lost = await actions.start({ kind: 'power-on', providerId: 'lab', instanceId: 'host1-off', actor: operator, viewer: 'all' }).catch(e => e)
  t.match(lost, { code: 'CW_ERR_PROVIDER_HTTP' })
  t.match(lost.message, 'off-one is still stopped, so the request most likely did not arrive. It was not repeated: try again')
  t.equal(simulator.stats.requests['/api/v1/instance/power_on'], 1, 'one request, not two')
  // The request was carried out but the answer was lost: the list shows it, and the action goes on.
  simulator.inject('/api/v1/instance/power_on', 'drop')
  const accepted = await actions.start({ kind: 'power-on', providerId: 'lab', instanceId: 'host1-off', actor: operator, viewer: 'all' })
  t.equal(simulator.stats.requests['/api/v1/instance/power_on'], 2)
  t.match(await actions.settled(accepted.id), { status: 'succeeded', instanceState: 'running' })
})

t.test('a provider refusal fails the action with the provider\'s words', async t => {
  const { actions, simulator } = await autodlWorld(t, instances())
  simulator.inject('/api/v1/instance/power_on', { code: 'TORecharge', msg: '余额不足，请充值' })
  const err = await actions.start({ kind: 'power-on', providerId: 'lab', instanceId: 'host1-off', actor: operator, viewer: 'all' }).catch(e => e)
  t.match(err, { code: 'CW_ERR_PROVIDER_API', statusCode: 502, message: /TORecharge \(余额不足，请充值\)/ })
})

t.test('an instance that does not reach its state in time ends as a timeout', async t => {
  const { actions } = await autodlWorld(t, instances(), { transitionMs: 10_000, timeoutMs: 200 })
  const started = await actions.start({ kind: 'power-on', providerId: 'lab', instanceId: 'host1-off', actor: operator, viewer: 'all' })
  t.match(await actions.settled(started.id), { status: 'failed', error: { code: 'CW_ERR_PROVIDER_TIMEOUT', message: /off-one is still starting after/ } })
})

t.test('keep-alive: no-GPU on, running, off, stopped, and the release clock verified', async t => {
  const { actions, simulator, aggregator } = await autodlWorld(t, instances())
  const before = aggregator.snapshot.instances.find(i => i.id === 'host1-off')!
  const started = await actions.start({ kind: 'keep-alive', providerId: 'lab', instanceId: 'host1-off', actor: { kind: 'system', reason: 'keep-alive' }, viewer: 'all' })
  const done = await actions.settled(started.id)
  t.match(done, { status: 'succeeded', mode: 'no_gpu', result: { stoppedAtBefore: before.stoppedAt } })
  t.ok(Date.parse(done!.result!.stoppedAtAfter!) > Date.parse(before.stoppedAt!), 'the stop time moved')
  t.ok(Date.parse(done!.result!.releaseAt!) > Date.now() + 14 * DAY, 'release is 15 days out again')
  const calls = simulator.requests.filter(r => r.path.startsWith('/api/v1/instance/power')).map(r => [r.path, r.body])
  t.same(calls, [['/api/v1/instance/power_on', { instance_uuid: 'host1-off', payload: 'non_gpu' }], ['/api/v1/instance/power_off', { instance_uuid: 'host1-off' }]])
})

t.test('keep-alive that does not reset the clock is reported as failed', async t => {
  const { actions, simulator } = await autodlWorld(t, instances())
  simulator.freezeStoppedAt('host1-off')
  const started = await actions.start({ kind: 'keep-alive', providerId: 'lab', instanceId: 'host1-off', actor: { kind: 'system', reason: 'keep-alive' }, viewer: 'all' })
  const done = await actions.settled(started.id)
  t.match(done, { status: 'failed', step: 'verifying the release clock', error: { message: /the release clock did not reset: the stop time is still/ } })
})

t.test('keep-alive needs a stopped instance; records survive in the store', async t => {
  const { actions, store } = await autodlWorld(t, instances())
  t.match(await actions.start({ kind: 'keep-alive', providerId: 'lab', instanceId: 'host3-on', actor: operator, viewer: 'all' }).catch(e => e),
    { code: 'CW_ERR_CONFLICT', message: 'keep-alive needs a stopped instance; on-one is running' })
  const started = await actions.start({ kind: 'power-off', providerId: 'lab', instanceId: 'host3-on', actor: operator, viewer: 'all' })
  await actions.settled(started.id)
  t.match(await store.namespace('actions').get(`action:${started.id}`), { id: started.id, status: 'succeeded' })
})

t.test('an error text with a registered secret in it is scrubbed before it reaches the record and the audit', async t => {
  const { actions, aggregator, audit, captured } = await autodlWorld(t, instances())
  const { ActionService } = await import('../../src/actions/service.js')
  const { memoryStateStore } = await import('../../src/core/store.js')
  captured.secrets.add('leaky-token-0123456789')
  const entry = aggregator.get('lab')!
  const original = entry.provider.powerOn.bind(entry.provider)
  entry.provider.powerOn = async () => { throw Object.assign(new Error('upstream said: bad token leaky-token-0123456789'), { code: 'CW_ERR_PROVIDER_API' }) }
  const scrubbing = new ActionService({ aggregator, audit, store: memoryStateStore().namespace('actions'), log: captured.log, timeoutMs: 1000, followIntervalMs: 20, secrets: captured.secrets })
  const err = await scrubbing.start({ kind: 'power-on', providerId: 'lab', instanceId: 'host1-off', actor: operator, viewer: 'all' }).catch(e => e)
  t.equal(err.message, 'upstream said: bad token [redacted]')
  const failed = (await audit.list({ visible: () => true })).find(e => e.result === 'failed')
  t.equal(failed?.detail, 'upstream said: bad token [redacted]')
  entry.provider.powerOn = original
  t.ok(actions)
})

t.test('actions left under way are reconciled from the list by the next start (or leader), never sent again', async t => {
  const world = await autodlWorld(t, instances(), { transitionMs: 1500 })
  const { aggregator, audit, store, simulator, captured } = world
  const next = (): ActionService => {
    const service = new ActionService({ aggregator, audit, store: store.namespace('actions'), log: captured.log, timeoutMs: 10_000, followIntervalMs: 20 })
    t.teardown(() => service.close())
    return service
  }
  const powerOns = (): number => simulator.requests.filter(r => r.path === '/api/v1/instance/power_on').length

  // Accepted, then the host stops: the record stays unfinished, for the next start.
  const started = await world.actions.start({ kind: 'power-on', providerId: 'lab', instanceId: 'host1-off', actor: operator, viewer: 'all' })
  await world.actions.close()
  t.match(await store.namespace('actions').get(`action:${started.id}`), { status: 'running' }, 'a stop is not a failure of the action')
  t.same(await store.namespace('actions').get('unfinished'), [started.id])

  // A record of a request that may never have left (the host died before the provider answered).
  const lost: ActionRecord = {
    ...started, id: 'lost-1', kind: 'power-on', mode: 'no_gpu', instanceId: 'host2-busy', instanceName: 'no-gpu-left', status: 'pending', step: 'requesting power-on', instanceState: 'stopped'
  }
  const unsent: ActionRecord = { ...lost, id: 'lost-2', kind: 'power-on', mode: 'gpu', instanceId: 'host3-on', instanceName: 'on-one', step: 'requesting power-on', instanceState: 'running' }
  await store.namespace('actions').set(`action:${lost.id}`, lost)
  await store.namespace('actions').set(`action:${unsent.id}`, unsent)
  await store.namespace('actions').set('unfinished', [started.id, lost.id, unsent.id, 'gone'])

  const actions = next()
  t.same((await actions.resume()).sort(), [started.id, 'lost-1', 'lost-2'].sort())
  t.match(await actions.settled(started.id), { status: 'succeeded', instanceState: 'running' }, 'what the instance shows was accepted is followed to its end')
  t.match(await actions.settled('lost-1'), { status: 'failed', error: { message: /before the provider answered; no-gpu-left is stopped, so the power-on did not take effect\. Nothing was sent again/ } },
    'a power-on whose instance is still stopped ends as failed, and is not sent again')
  t.match(await actions.settled('lost-2'), { status: 'succeeded' }, 'a power-on whose instance runs: it was accepted')
  t.equal(powerOns(), 1, 'the power-on was sent once, by the first host')
  t.equal(simulator.requests.filter(r => r.path === '/api/v1/instance/power_off').length, 0, 'and no power-off at all')
  t.same(await store.namespace('actions').get('unfinished'), [], 'nothing is left unfinished')
  t.same((await next().resume()), [], 'so a third start takes over nothing')
  const log = await audit.list({ visible: () => true })
  t.same(log.filter(e => e.actionId === started.id).map(e => e.result), ['succeeded', 'requested'], 'audited once each')
})

import t, { type Test } from 'tap'
import { webhookSignature } from '../../src/notify/webhook.js'
import { alertsWorld, OPERATOR, READER, TOKEN, WEBHOOK_SECRET } from '../helpers/alerts-world.js'
import { press, waitForMessage } from '../helpers/telegram.js'
import { until } from '../helpers/until.js'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { storeFileIo } from '../../src/core/file-store.js'
import { openStateStore, type StateStore } from '../../src/core/store.js'
import { captureLog } from '../helpers/log.js'
import { makeInstance, nullTime } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'

async function setup (t: Test, store?: StateStore) {
  const simulator = await startAutodlSimulator({
    transitionMs: 40,
    accounts: [{ phone: '13800000000', password: 'pw', instances: [
      makeInstance({ uuid: 'w1-waiter', machine_id: 'hostW', name: 'waiter', region_name: '西北B区', status: 'shutdown', req_gpu_amount: 2, gpu_all_num: 8, gpu_idle_num: 0, payg_price: 1880, stopped_at: nullTime(new Date()) })
    ] }]
  })
  t.teardown(() => simulator.close())
  const world = await alertsWorld(t, [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url }], store ? { store } : {})
  await world.poll()
  return { simulator, world }
}

const freed = /^🟢 The host of 西北B区 \/ waiter has idle GPUs: \d\/8 idle, 2 needed\.$/

t.test('GPU freed: 0→N fires once, to the watcher only, with [Power on]; N→N is quiet; N→0→N fires again', async t => {
  const { simulator, world } = await setup(t)
  await world.say(READER, '/watch waiter')
  t.match(world.messages(READER).at(-1)?.text, '👀 Watching the host of 西北B区 / waiter (idle 0/8 now, needs 2)')
  const count = () => world.messages(READER).filter(m => freed.test(m.text)).length

  simulator.setHostIdle('hostW', 1)
  await world.poll()
  t.equal(count(), 0, '1 idle < 2 requested: nothing')
  simulator.setHostIdle('hostW', 3)
  await world.poll()
  t.equal(count(), 1, '0→3 fires')
  const alert = world.messages(READER).at(-1)!
  t.equal(alert.text, '🟢 The host of 西北B区 / waiter has idle GPUs: 3/8 idle, 2 needed.')
  t.same(alert.buttons.map(b => b.text), ['Power on'])
  t.equal(world.messages(OPERATOR).length, 0, 'other users are not told')
  await world.poll()
  simulator.setHostIdle('hostW', 4)
  await world.poll()
  t.equal(count(), 1, 'N→N does not repeat')
  simulator.setHostIdle('hostW', 0)
  await world.poll()
  simulator.setHostIdle('hostW', 2)
  await world.poll()
  t.equal(count(), 2, 'N→0→N fires again')

  const hook = world.hooks.deliveries.find(d => d.json.event === 'gpu.freed')!
  t.match(hook.json, { version: 1, event: 'gpu.freed', provider: { id: 'lab', type: 'autodl' }, instance: { id: 'w1-waiter' }, message: { en: /has idle GPUs/, zh: /所在主机有空闲 GPU 了/ }, data: { hostIdle: 3, requested: 2 } })
  t.equal(hook.headers['x-computewatch-signature'], webhookSignature(WEBHOOK_SECRET, String(hook.headers['x-computewatch-timestamp']), hook.body))
})

t.test('the [Power on] button of the alert leads to the usual confirmation', async t => {
  const { simulator, world } = await setup(t)
  await world.say(OPERATOR, '/watch waiter')
  simulator.setHostIdle('hostW', 2)
  await world.poll()
  await press(world.telegram, world.host.bot!.bot, TOKEN, OPERATOR, 'Power on')
  t.match(world.messages(OPERATOR).at(-1)?.text, '⚡ Power on 西北B区 / waiter with GPU: 2× RTX 3090, billed at ¥1.88/h. Confirm?')
  t.equal(simulator.stats.requests['/api/v1/instance/power_on'], undefined, 'nothing runs from the alert alone')
})

t.test('a restart neither repeats nor loses: the watch and its last state are stored', async t => {
  const { simulator, world } = await setup(t)
  await world.say(READER, '/watch waiter')
  simulator.setHostIdle('hostW', 2)
  await world.poll()
  const second = await world.restart()
  await second.poll()
  t.equal(second.messages(READER).filter(m => m.text.startsWith('🟢 The host of')).length, 1, 'not repeated after the restart')
  t.equal((await second.host.watches.all(READER)).length, 1, 'the watch survived')
  simulator.setHostIdle('hostW', 0)
  await second.poll()
  const third = await second.restart()
  simulator.setHostIdle('hostW', 5)
  await third.poll()
  t.equal(third.messages(READER).filter(m => m.text.startsWith('🟢 The host of')).length, 2, 'a rise while restarting is not lost')
})

t.test('a muted instance stays quiet; /unwatch ends the watch', async t => {
  const { simulator, world } = await setup(t)
  await world.say(READER, '/watch waiter')
  await world.say(OPERATOR, '/mute waiter 1h')
  t.match(world.messages(OPERATOR).at(-1)?.text, '🔕 Alerts of waiter are silenced until ')
  simulator.setHostIdle('hostW', 3)
  await world.poll()
  t.equal(world.messages(READER).filter(m => m.text.startsWith('🟢')).length, 0, 'muted')
  t.equal(world.hooks.deliveries.filter(d => d.json.event === 'gpu.freed').length, 0, 'webhooks too')
  await world.say(READER, '/unwatch waiter')
  t.equal(world.messages(READER).at(-1)?.text, 'Stopped watching waiter.')
  t.same(await world.host.watches.all(READER), [])
})

t.test('auto: powers on by itself when the GPUs free up, then the watch ends', async t => {
  const { simulator, world } = await setup(t)
  await world.say(OPERATOR, '/watch waiter auto 1h')
  t.equal(world.messages(OPERATOR).at(-1)?.text, '🤖 Within 1h, as soon as the host of 西北B区 / waiter has 2 GPU(s) idle, power it on with GPU (¥1.88/h). Confirm?')
  await press(world.telegram, world.host.bot!.bot, TOKEN, OPERATOR, '✅ Confirm')
  t.match(world.messages(OPERATOR).at(-1)?.text, '🤖 Watching the host of 西北B区 / waiter; it will be powered on by itself if a GPU frees up before ')
  await world.poll()
  t.equal(simulator.stats.requests['/api/v1/instance/power_on'], undefined, 'no GPU yet')
  simulator.setHostIdle('hostW', 2)
  await world.poll()
  t.ok(world.messages(OPERATOR).some(m => m.text === '🤖 The host of 西北B区 / waiter has idle GPUs (2/8): powering it on with GPU…'))
  const action = (await world.host.audit.list({ visible: () => true })).find(e => e.action === 'power-on' && e.result === 'requested')!
  await world.host.actions.settled(action.actionId!)
  // The announcement follows the action's last update (the watch is removed first): wait for it, not for a fixed moment.
  await waitForMessage(world.telegram, OPERATOR, /^✅ 西北B区 \/ waiter was powered on by its watch and is running\. The watch has ended\.$/)
  t.same(await world.host.watches.all(OPERATOR), [])
  t.match(action.actor, { kind: 'system', reason: 'gpu watch', onBehalfOf: OPERATOR })
  await until(() => world.hooks.deliveries.some(d => d.json.event === 'action.finished'), 'the action.finished delivery', 5000)
  t.ok(world.hooks.deliveries.some(d => d.json.event === 'action.finished' && d.json.data.action.status === 'succeeded'))
})

t.test('auto: a reader may not set one; the window ends the watch', async t => {
  const { world } = await setup(t)
  await world.say(READER, '/watch waiter auto 2h')
  t.match(world.messages(READER).at(-1)?.text, 'You may read but not act.')
  await world.say(OPERATOR, '/watch waiter auto 30m')
  await press(world.telegram, world.host.bot!.bot, TOKEN, OPERATOR, '✅ Confirm')
  world.tick(31 * 60_000)
  await world.poll()
  t.equal(world.messages(OPERATOR).at(-1)?.text, '⌛ The automatic watch of 西北B区 / waiter has ended; no GPU freed up in time.')
  t.same(await world.host.watches.all(OPERATOR), [])
})

t.test('a store that cannot write: /mute and /watch say they could not save, and nothing changed', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'cw-bot-store-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const store = await openStateStore(`file:${join(dir, 'cw.json')}`, { baseDir: '/', log: captureLog().log })
  t.teardown(() => store.close())
  const { world } = await setup(t, store)
  const original = storeFileIo.write
  storeFileIo.write = async () => { throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }) }
  t.teardown(() => { storeFileIo.write = original })
  await world.say(OPERATOR, '/mute waiter 1h')
  t.equal(world.messages(OPERATOR).at(-1)?.text, 'Could not save this: the host cannot write its storage (disk full or read-only). Nothing was changed; the operator has been told in the log.')
  await world.say(READER, '/watch waiter')
  t.match(world.messages(READER).at(-1)?.text, /^Could not save this/)
  t.same(await world.host.mutes.list('all'), [])
  t.same(await world.host.watches.all(), [])
  storeFileIo.write = original
  await world.say(OPERATOR, '/mute waiter 1h')
  t.match(world.messages(OPERATOR).at(-1)?.text, '🔕 Alerts of waiter are silenced until ')
})

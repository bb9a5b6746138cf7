import t from 'tap'
import { PollMemo } from '../../../src/core/memo.js'
import { STATE_MAP, toInstance } from '../../../providers/autodl/map.js'
import type { RawInstance, StopTimes } from '../../../providers/autodl/map.js'
import { SEED_INSTANCE, SEED_INSTANCE_MAPPED } from '../../../src/demo/simulators/autodl/fixtures.js'

const base: RawInstance = { uuid: 'u1', status: 'shutdown', machine_alias: '091机', region_name: '西北B区' }

t.test('toInstance() maps every documented status word; others are unknown with the word kept', async t => {
  const expected: Record<string, string> = {
    creating: 'starting', starting: 'starting', re_initializing: 'starting', running: 'running',
    shutting_down: 'stopping', shutdown: 'stopped', stopped: 'stopped', abnormal: 'error'
  }
  t.same(STATE_MAP, expected)
  for (const [word, state] of Object.entries(expected)) {
    t.same([toInstance({ ...base, status: word }).state, toInstance({ ...base, status: word }).providerState], [state, word])
  }
  t.same([toInstance({ ...base, status: 'migrating' }).state, toInstance({ ...base, status: 'migrating' }).providerState], ['unknown', 'migrating'])
  t.equal(toInstance({ ...base, status: '' }).state, 'unknown')
})

t.test('toInstance() maps the seed instance exactly', async t => {
  t.same(toInstance(SEED_INSTANCE as unknown as RawInstance), SEED_INSTANCE_MAPPED)
})

t.test('name: name, then instance_name, then machine_alias, then the uuid', async t => {
  t.equal(toInstance({ ...base, name: ' train ' }).name, 'train')
  t.equal(toInstance({ ...base, name: '', instance_name: 'old-style' }).name, 'old-style')
  t.equal(toInstance({ ...base, name: '  ' }).name, '091机')
  t.equal(toInstance({ uuid: 'only-uuid', status: 'running' }).name, 'only-uuid')
  t.equal(toInstance({ uuid: 'x', status: 'running', region_sign: 'west-B' }).region, 'west-B', 'region_sign when region_name is missing')
  t.equal(toInstance({ uuid: 'x', status: 'running' }).region, null)
})

t.test('release: stoppedAt + 15 days, only while shut down, in the same offset', async t => {
  const stopped = { Time: '2026-11-20T23:30:00+08:00', Valid: true }
  t.equal(toInstance({ ...base, stopped_at: stopped }).releaseAt, '2026-12-05T23:30:00+08:00')
  t.equal(toInstance({ ...base, status: 'running', stopped_at: stopped }).releaseAt, null, 'a running instance is not being released')
  t.equal(toInstance({ ...base, status: 'running', stopped_at: stopped }).stoppedAt, '2026-11-20T23:30:00+08:00', 'the last stop is still reported')
  t.equal(toInstance({ ...base, stopped_at: { Time: '0001-01-01T00:00:00Z', Valid: false } }).releaseAt, null, 'never stopped: no release date')
  t.equal(toInstance({ ...base, stopped_at: { Time: '0001-01-01T00:00:00Z', Valid: true } }).stoppedAt, null, 'the zero time is not a date')
  t.equal(toInstance({ ...base, stopped_at: { Time: 'yesterday', Valid: true } }).stoppedAt, null, 'an unreadable time is dropped')
  t.equal(toInstance({ ...base, stopped_at: { Time: '2026-11-20T15:30:00.123456789+08:00', Valid: true } }).stoppedAt, '2026-11-20T15:30:00.123+08:00')
})

t.test('release times kept from poll to poll map the same as computed afresh', async t => {
  const times = new PollMemo<string, StopTimes>()
  const stopped = { Time: '2026-11-20T23:30:00+08:00', Valid: true }
  for (let poll = 0; poll < 2; poll++) {
    for (const raw of [{ ...base, stopped_at: stopped }, { ...base, status: 'running', stopped_at: stopped }, { ...base, stopped_at: { Time: 'yesterday', Valid: true } }, { ...base, stopped_at: null }]) {
      t.same(toInstance(raw, times), toInstance(raw), `poll ${poll}: ${raw.status} ${JSON.stringify(raw.stopped_at)}`)
    }
    times.rotate()
  }
  t.equal(times.size, 2, 'one value per stop time seen, the unreadable one included')
})

t.test('price: milli-yuan per hour to yuan; missing or zero is null', async t => {
  t.equal(toInstance({ ...base, payg_price: 1880 }).pricePerHour, 1.88)
  t.equal(toInstance({ ...base, payg_price: 0 }).pricePerHour, null)
  t.equal(toInstance(base).pricePerHour, null)
})

t.test('gpu: null without any GPU field; partial facts stay null', async t => {
  t.equal(toInstance(base).gpu, null)
  t.same(toInstance({ ...base, gpu_idle_num: 0 }).gpu, { model: null, requested: null, hostTotal: null, hostIdle: 0 })
})

t.test('access secrets never pass through', async t => {
  const raw = { ...SEED_INSTANCE, root_password: 'pw-XYZ-123', jupyter_token: 'jt-XYZ', ssh_command: 'ssh -p 1 root@h' }
  const text = JSON.stringify(toInstance(raw as unknown as RawInstance))
  for (const secret of ['pw-XYZ-123', 'jt-XYZ', 'ssh -p', 'proxy_host', 'jupyter_domain']) t.notOk(text.includes(secret))
})

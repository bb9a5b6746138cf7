import t, { type Test } from 'tap'
import { builtinProviders } from '../../providers/index.js'
import { buildHost } from '../../src/app.js'
import { parseConfig } from '../../src/config/load.js'
import { createRegistry } from '../../src/core/registry.js'
import { memoryStateStore } from '../../src/core/store.js'
import { makeInstance, nullTime } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'
import { ALERT_RULES } from '../../src/alerts/rules/index.js'
import { FakeProvider, fakeInstance } from '../helpers/fake-provider.js'
import { captureLog } from '../helpers/log.js'
import { startWebhookReceiver } from '../helpers/webhook-receiver.js'

const KEY = 'ops-control-key-0123456789'

/** A host with a good AutoDL entry, one whose password is wrong, a webhook, and an account added through the bot. */
async function setup (t: Test) {
  const simulator = await startAutodlSimulator({
    transitionMs: 20,
    accounts: [{ phone: '13800000000', password: 'pw', instances: [
      makeInstance({ uuid: 'h1-stopped', machine_id: 'h1', name: 'trainer', status: 'shutdown', req_gpu_amount: 1, gpu_idle_num: 3, stopped_at: nullTime(new Date(Date.now() - 86400_000)) })
    ] }]
  })
  t.teardown(() => simulator.close())
  const receiver = await startWebhookReceiver(t)
  const registry = createRegistry(builtinProviders)
  const config = parseConfig({
    api: { apiKeys: [{ name: 'ops', key: KEY, scopes: ['read', 'control'] }] },
    notify: { webhooks: [{ url: receiver.url, events: ['action.finished'], maxAttempts: 1 }] },
    providers: [
      { id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url },
      { id: 'typo', type: 'autodl', phone: '13800000000', password: 'not-the-password', baseUrl: simulator.url }
    ]
  }, { registry, alertRules: ALERT_RULES, env: {} })
  const captured = captureLog()
  const host = await buildHost(config, { registry, log: captured.log, secrets: captured.secrets, store: memoryStateStore(), version: '9.8.7', followIntervalMs: 20 })
  t.teardown(() => host.stop())
  const mine = new FakeProvider()
  mine.next = { instances: [fakeInstance('mine-1')] }
  await host.aggregator.add({ id: 'tg-42', type: 'autodl', provider: mine, log: captured.log })
  host.alerts.start()
  await host.aggregator.refresh()
  const scrape = async (): Promise<string> => (await host.api.inject({ url: '/metrics', headers: { authorization: `Bearer ${KEY}` } })).body
  /** The value of one sample, or undefined when the series is absent. */
  const sample = async (series: string): Promise<number | undefined> => {
    const line = (await scrape()).split('\n').find(l => l.startsWith(`${series} `))
    return line === undefined ? undefined : Number(line.slice(series.length + 1))
  }
  return { host, simulator, receiver, scrape, sample }
}

t.test('polls and logins are counted per entry and result; a login the back-off holds back is not a login', async t => {
  const { host, sample } = await setup(t)
  t.equal(await sample('computewatch_provider_polls_total{provider="lab",type="autodl",result="success"}'), 1)
  t.equal(await sample('computewatch_provider_polls_total{provider="lab",type="autodl",result="failure"}'), 0, 'the failure series exists from the start')
  t.equal(await sample('computewatch_provider_logins_total{provider="lab",type="autodl",result="success"}'), 1)
  t.equal(await sample('computewatch_provider_polls_total{provider="typo",type="autodl",result="failure"}'), 1)
  t.equal(await sample('computewatch_provider_logins_total{provider="typo",type="autodl",result="rejected"}'), 1)
  await host.aggregator.refresh()
  t.equal(await sample('computewatch_provider_polls_total{provider="lab",type="autodl",result="success"}'), 2)
  t.equal(await sample('computewatch_provider_logins_total{provider="lab",type="autodl",result="success"}'), 1, 'the token is reused: no second login')
  t.equal(await sample('computewatch_provider_polls_total{provider="typo",type="autodl",result="failure"}'), 2)
  t.equal(await sample('computewatch_provider_logins_total{provider="typo",type="autodl",result="rejected"}'), 1, 'held back by the back-off, not attempted')
})

t.test('an account added through the bot is not named in the counters either', async t => {
  const { scrape } = await setup(t)
  t.notOk((await scrape()).includes('tg-42'))
})

t.test('actions, alerts and webhook deliveries are counted; build info names the version and Node', async t => {
  const { host, sample } = await setup(t)
  t.equal(await sample('computewatch_actions_total{kind="power-on",result="succeeded"}'), 0, 'every kind and result exists from the start')
  const started = await host.api.inject({ method: 'POST', url: '/api/v1/instances/lab/h1-stopped/power-on', headers: { authorization: `Bearer ${KEY}` }, payload: { mode: 'gpu' } })
  t.equal(started.statusCode, 202)
  await host.actions.settled(started.json().id)
  const again = await host.api.inject({ method: 'POST', url: '/api/v1/instances/lab/h1-stopped/power-on', headers: { authorization: `Bearer ${KEY}` }, payload: { mode: 'gpu' } })
  t.equal(again.statusCode, 409)
  await host.dispatcher.flush()
  t.equal(await sample('computewatch_actions_total{kind="power-on",result="succeeded"}'), 1)
  t.equal(await sample('computewatch_actions_total{kind="power-on",result="refused"}'), 1)
  t.equal(await sample('computewatch_webhook_deliveries_total{result="delivered"}'), 1)
  t.equal(await sample('computewatch_webhook_deliveries_total{result="failed"}'), 0)
  t.equal(await sample('computewatch_alerts_total{event="action.finished",channel="webhook",result="sent"}'), 1)
  t.equal(await sample(`computewatch_build_info{version="9.8.7",node="${process.version}"}`), 1)
})

t.test('a webhook that keeps failing counts a failed delivery and a failed alert', async t => {
  const { host, receiver, sample } = await setup(t)
  receiver.failNext(5)
  const started = await host.api.inject({ method: 'POST', url: '/api/v1/instances/lab/h1-stopped/power-on', headers: { authorization: `Bearer ${KEY}` }, payload: { mode: 'gpu' } })
  await host.actions.settled(started.json().id)
  await host.dispatcher.flush()
  t.equal(await sample('computewatch_webhook_deliveries_total{result="failed"}'), 1)
  t.equal(await sample('computewatch_alerts_total{event="action.finished",channel="webhook",result="failed"}'), 1)
})

t.test('process and Node.js metrics are served, without the gauges promtool rejects', async t => {
  const { scrape } = await setup(t)
  const text = await scrape()
  t.match(text, /^process_resident_memory_bytes \d+/m)
  t.match(text, /^nodejs_heap_size_used_bytes \d+/m)
  t.notOk(/^nodejs_active_handles_total /m.test(text))
})

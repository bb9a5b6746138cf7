import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { metricsRoutes } from '../../src/api/routes/metrics.js'
import { Aggregator } from '../../src/core/aggregator.js'
import { HostMetrics } from '../../src/metrics/counters.js'
import { FakeProvider, fakeInstance } from '../helpers/fake-provider.js'
import { captureLog } from '../helpers/log.js'

/** The route on a bare Fastify app over a real aggregator; `viewReads` counts how often the view's gauges were read. */
async function setup (t: Test) {
  const captured = captureLog()
  const aggregator = new Aggregator({ pollIntervalMs: 60_000, pollTimeoutMs: 2000, log: captured.log, secrets: captured.secrets })
  const provider = new FakeProvider()
  await aggregator.add({ id: 'lab', type: 'fake', provider, log: captured.log })
  const counters = new HostMetrics({ version: '1.2.3', isPublic: () => true })
  let viewReads = 0
  const view = aggregator.view.bind(aggregator)
  aggregator.view = (viewer) => { viewReads++; return view(viewer) }
  const app = Fastify()
  await app.register(metricsRoutes, { aggregator, counters })
  t.teardown(() => app.close())
  const scrape = async (): Promise<string> => (await app.inject('/metrics')).body
  return { aggregator, provider, counters, scrape, reads: () => viewReads }
}

t.test('the view is rendered once per snapshot; counters and process metrics do not render it again', async t => {
  const { aggregator, provider, counters, scrape, reads } = await setup(t)
  provider.next = { instances: [fakeInstance('one')] }
  await aggregator.refresh()

  const first = await scrape()
  t.match(first, /computewatch_instance_info\{provider="lab",type="fake",instance_id="one"/)
  t.match(first, /computewatch_build_info\{version="1\.2\.3"/, 'the host counters follow the view')
  t.match(first, /process_cpu_seconds_total/, 'and the process metrics')
  t.equal(await scrape(), first, 'answered again while nothing changed')
  t.equal(reads(), 1, 'the view was read once')

  counters.action('power_on', 'succeeded')
  const counted = await scrape()
  t.match(counted, /computewatch_actions_total\{kind="power_on",result="succeeded"\} 1/, 'a new count is rendered')
  t.equal(reads(), 1, 'without reading the view again')
  t.equal(counted.slice(0, counted.indexOf('computewatch_build_info')), first.slice(0, first.indexOf('computewatch_build_info')), 'the view part is unchanged')

  provider.next = { instances: [fakeInstance('one'), fakeInstance('two')] }
  await aggregator.refresh()
  const [a, b] = await Promise.all([scrape(), scrape()])
  t.match(a, /instance_id="two"/, 'a new snapshot is rendered')
  t.equal(a, b)
  t.equal(reads(), 2, 'concurrent scrapes of one snapshot share one render')
})

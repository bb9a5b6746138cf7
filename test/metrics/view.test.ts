import t from 'tap'
import { Registry } from 'prom-client'
import { viewMetrics, type MetricsView } from '../../src/metrics/view.js'
import { fakeInstance } from '../helpers/fake-provider.js'
import type { Instance } from '../../src/core/instance.js'
import type { ProviderStatus } from '../../src/core/snapshot.js'

const instance = (id: string, region: string | null = null): Instance =>
  ({ ...fakeInstance(id), region, provider: 'lab', providerType: 'fake', stale: false, lastSeenAt: null, expiresAt: null, url: null, metrics: null })
const provider = { id: 'lab', type: 'fake', ok: true, durationMs: 1200, lastSuccessAt: '2026-11-22T08:00:00.000Z', instanceCount: 2, account: { balanceYuan: 12.5 } } as unknown as ProviderStatus

/** prom-client keeps a gauge's label sets in its `hashMap` (lib/gauge.js); that is the memory this is about. */
const labelSets = (registry: Registry): number =>
  registry.getMetricsAsArray().reduce((n, metric) => n + Object.keys((metric as unknown as { hashMap: object }).hashMap).length, 0)

t.test('render() makes the bytes of one registry holding every gauge, and keeps no label set', async t => {
  let view: MetricsView = { instances: [instance('a', '北京A区'), instance('b')], providers: [provider] }
  const gauges = viewMetrics(() => view)
  const whole = await Registry.merge([...gauges.registries]).metrics()
  const body = await gauges.render()
  t.equal(body.toString('utf8'), whole, 'byte for byte what registry.metrics() renders')
  t.match(whole, /computewatch_instance_info\{provider="lab",type="fake",instance_id="a",name="name-a",region="北京A区"/)
  t.match(whole, /computewatch_provider_balance_yuan\{provider="lab",type="fake"\} 12.5/)
  t.equal(gauges.registries.reduce((n, r) => n + labelSets(r), 0), 0, 'no label set left after rendering')

  view = { instances: [instance('c')], providers: [] }
  const next = (await gauges.render()).toString('utf8')
  t.match(next, /instance_id="c"/, 'the next render reads the view again')
  t.notMatch(next, /instance_id="a"/)
  t.equal(gauges.registries.reduce((n, r) => n + labelSets(r), 0), 0)
})

import t from 'tap'
import { demoWorld } from '../../src/demo/world.js'
import type { SimServer } from '../../src/demo/simulators/nezha/server.js'

t.test('the demo world: agents keep reporting, the flaky one goes silent and comes back, host GPUs change', async t => {
  const start = Date.parse('2026-11-21T00:00:00Z')
  const at = (seconds: number): Date => new Date(start + seconds * 1000)
  const long = at(-3600)
  const servers = [{ name: 'steady', lastActive: long }, { name: 'flaky', lastActive: long }, { name: 'never', lastActive: null }] as unknown as SimServer[]
  const [steady, flaky, never] = servers as Array<{ lastActive: Date | null }>
  const idle: Array<[string, number]> = []
  let r = 0
  const step = demoWorld({
    autodl: { setHostIdle: (id, n) => { idle.push([id, n]) } },
    autodlHosts: [{ machineId: 'h1', total: 8 }, { machineId: 'h2', total: 4 }],
    nezhaServers: servers,
    flakyServer: 'flaky',
    flakyPeriodMs: 150_000,
    gpuEveryTicks: 2
  }, start, () => [0.99, 0, 0.5][r++ % 3]!)
  step(at(5))
  t.same([steady!.lastActive, flaky!.lastActive, never!.lastActive], [at(5), at(5), null], 'agents report; one that never did stays so')
  step(at(155)) // the flaky agent's silent period
  t.same([steady!.lastActive, flaky!.lastActive], [at(155), at(5)], 'the flaky agent is silent, the others report')
  step(at(295))
  t.same(flaky!.lastActive, at(5), 'still silent until its period ends')
  step(at(305))
  t.same(flaky!.lastActive, at(305), 'and it comes back')
  t.same(idle, [['h2', 4], ['h1', 0]], 'every second step one host in turn, between 0 and its total')
})

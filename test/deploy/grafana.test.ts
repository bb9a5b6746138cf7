import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { demoMetrics, metricNamesIn } from '../helpers/demo-metrics.js'
import { runTool, which } from '../helpers/system-tools.js'

interface Panel { id: number; title: string; type: string; gridPos: { x: number; y: number; w: number; h: number }; targets: Array<{ expr: string; refId: string }> }

const dashboard = JSON.parse(await readFile(new URL('../../deploy/grafana/computewatch.json', import.meta.url), 'utf8')) as { uid: string; panels: Panel[]; templating: { list: Array<{ name: string }> }; __inputs: unknown[] }
const exprs = dashboard.panels.flatMap(p => p.targets.map(target => ({ panel: p.title, expr: target.expr })))

t.test('every metric the dashboard queries is one the host exports', async t => {
  const { families, samples } = await demoMetrics(t)
  const used = new Set(exprs.flatMap(e => metricNamesIn(e.expr)))
  t.ok(used.size >= 12, `${used.size} metrics used`)
  for (const name of used) t.ok(samples.has(name) || families.has(name), `${name} is exported`)
})

t.test('it shows what the issue asks for', async t => {
  const all = exprs.map(e => e.expr).join('\n')
  const wanted: Array<[string, string]> = [['providers up', 'computewatch_provider_up'], ['poll durations', 'computewatch_provider_poll_duration_seconds'],
    ['instances by state', 'computewatch_instance_state'], ['idle GPUs per host', 'computewatch_instance_host_gpus_idle'],
    ['release countdowns', 'computewatch_instance_release_timestamp_seconds'], ['price', 'computewatch_instance_price_yuan_per_hour'],
    ['alert rates', 'computewatch_alerts_total'], ['action rates', 'computewatch_actions_total']]
  for (const [what, name] of wanted) {
    t.ok(all.includes(name), what)
  }
})

t.test('it imports anywhere: a datasource variable, unique panel ids, panels that do not overlap', async t => {
  t.equal(dashboard.uid, 'computewatch')
  t.ok(dashboard.templating.list.some(v => v.name === 'datasource'))
  t.ok(dashboard.templating.list.some(v => v.name === 'provider'))
  t.equal(new Set(dashboard.panels.map(p => p.id)).size, dashboard.panels.length)
  for (const [i, a] of dashboard.panels.entries()) {
    t.ok(a.gridPos.x + a.gridPos.w <= 24, `${a.title} fits the 24-column grid`)
    for (const b of dashboard.panels.slice(i + 1)) {
      const apart = a.gridPos.x + a.gridPos.w <= b.gridPos.x || b.gridPos.x + b.gridPos.w <= a.gridPos.x ||
        a.gridPos.y + a.gridPos.h <= b.gridPos.y || b.gridPos.y + b.gridPos.h <= a.gridPos.y
      if (!apart) t.fail(`${a.title} overlaps ${b.title}`)
    }
  }
})

t.test('every query is valid PromQL (promtool parses it as a recording rule)', async t => {
  const promtool = await which('promtool')
  if (!promtool) return t.plan(0, 'promtool not installed (apt-get install -y prometheus)')
  const dir = await mkdtemp(join(tmpdir(), 'cw-grafana-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  // Grafana's variables, as Grafana would expand them.
  const expand = (expr: string): string => expr.replaceAll('$__rate_interval', '2m').replaceAll('$__range', '1d').replaceAll('$provider', '.*')
  const rules = exprs.map((e, i) => `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(expand(e.expr))}`).join('\n')
  await writeFile(join(dir, 'queries.yml'), `groups:\n  - name: dashboard\n    rules:\n${rules}\n`)
  const result = await runTool(promtool, ['check', 'rules', join(dir, 'queries.yml')])
  t.equal(result.code, 0, result.output)
  t.match(result.output, `SUCCESS: ${exprs.length} rules found`)
})

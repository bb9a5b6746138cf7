import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { demoMetrics, metricNamesIn } from '../helpers/demo-metrics.js'
import { runTool, which } from '../helpers/system-tools.js'

const PROMETHEUS = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url))
const promtool = await which('promtool')
const { text, families, samples } = await demoMetrics(t)

const promtoolRun = async (args: string[], options: { cwd?: string; input?: string } = {}): Promise<{ code: number; output: string }> => await runTool(promtool!, args, options)

t.test('the demo exports the view, the counters, build info and the process metrics', async t => {
  for (const name of ['computewatch_provider_up', 'computewatch_instance_info', 'computewatch_instance_state', 'computewatch_instance_host_gpus_idle',
    'computewatch_instance_release_timestamp_seconds', 'computewatch_instance_cpu_usage_ratio', 'computewatch_provider_polls_total',
    'computewatch_provider_logins_total', 'computewatch_alerts_total', 'computewatch_webhook_deliveries_total', 'computewatch_actions_total',
    'computewatch_build_info', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) {
    t.ok(families.has(name), name)
  }
  t.ok(samples.has('computewatch_instance_info') && samples.has('computewatch_provider_polls_total'), 'with samples')
  t.notOk([...families].some(f => f.endsWith('_percent')), 'ratios, not percent')
})

t.test('promtool check metrics finds nothing in the demo\'s /metrics', async t => {
  if (!promtool) return t.plan(0, 'promtool not installed (apt-get install -y prometheus)')
  t.ok(text.split('\n').length > 100, 'a real exposition, not an empty one (promtool passes empty input)')
  const { code, output } = await promtoolRun(['check', 'metrics'], { input: text })
  t.equal(output.trim(), '', 'no findings')
  t.equal(code, 0)
})

t.test('alerts.yml: valid rules, and each rule fires and stays silent in its unit test', async t => {
  if (!promtool) return t.plan(0, 'promtool not installed (apt-get install -y prometheus)')
  const check = await promtoolRun(['check', 'rules', 'alerts.yml'], { cwd: PROMETHEUS })
  t.equal(check.code, 0, check.output)
  t.match(check.output, 'SUCCESS: 6 rules found')
  const tested = await promtoolRun(['test', 'rules', 'tests/alerts.test.yml'], { cwd: PROMETHEUS })
  t.equal(tested.code, 0, tested.output)
  t.match(tested.output, 'SUCCESS')
})

t.test('every alert rule has a unit test that makes it fire and one that keeps it silent', async t => {
  const rules = [...(await readFile(join(PROMETHEUS, 'alerts.yml'), 'utf8')).matchAll(/^\s+- alert: (\w+)$/gm)].map(m => m[1]!)
  const tests = await readFile(join(PROMETHEUS, 'tests/alerts.test.yml'), 'utf8')
  t.equal(rules.length, 6)
  for (const rule of rules) {
    const cases = [...tests.matchAll(new RegExp(`alertname: ${rule}\\n\\s+exp_alerts:( \\[\\])?`, 'g'))]
    t.ok(cases.some(c => c[1] === ' []'), `${rule} stays silent in a case`)
    t.ok(cases.some(c => c[1] === undefined), `${rule} fires in a case`)
  }
})

t.test('scrape.yml is a valid Prometheus config with the Bearer key from a file', async t => {
  if (!promtool) return t.plan(0, 'promtool not installed (apt-get install -y prometheus)')
  const dir = await mkdtemp(join(tmpdir(), 'cw-prom-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const scrape = await readFile(join(PROMETHEUS, 'scrape.yml'), 'utf8')
  t.match(scrape, /authorization:\n\s+type: Bearer\n\s+credentials_file: \/etc\/prometheus\/computewatch\.key/)
  await writeFile(join(dir, 'scrape.yml'), scrape.replaceAll('/etc/prometheus/computewatch.key', join(dir, 'key')))
  await writeFile(join(dir, 'key'), 'a-read-key-0123456789\n')
  await copyFile(join(PROMETHEUS, 'alerts.yml'), join(dir, 'alerts.yml'))
  const { code, output } = await promtoolRun(['check', 'config', 'scrape.yml'], { cwd: dir })
  t.equal(code, 0, output)
})

t.test('every metric the alert rules read is one the host exports', async t => {
  const alerts = await readFile(join(PROMETHEUS, 'alerts.yml'), 'utf8')
  const used = metricNamesIn(alerts)
  t.ok(used.length >= 6)
  for (const name of used) t.ok(samples.has(name) || families.has(name), `${name} is exported`)
})


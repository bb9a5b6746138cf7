import { spawn } from 'node:child_process'
import t from 'tap'
import { CLI, run, SIM_PASSWORD, SIM_PHONE, waitForLine, withSimulator } from './helpers/cli.js'
import { which } from './helpers/system-tools.js'

const KEY = 'cli-logs-key-0123456789abcdef'
const config = (url: string): object => ({
  store: 'file:./state/cw.json',
  api: { host: '127.0.0.1', port: 0, apiKeys: ['${CW_KEY}'] },
  providers: [{ id: 'lab', type: 'autodl', phone: SIM_PHONE, password: '${CW_PASSWORD}', baseUrl: url }]
})
const env = { CW_KEY: KEY, CW_PASSWORD: SIM_PASSWORD }

t.test('into a pipe (a service manager, a file): JSON lines', async t => {
  const { configFile } = await withSimulator(t, config)
  const host = run(t, ['--config', configFile], env)
  const line = await waitForLine(host.stdout, /status API listening/)
  t.match(JSON.parse(line), { level: 30, msg: 'status API listening' })
  host.child.kill('SIGTERM')
  await host.exited
})

t.test('LOG_FORMAT=pretty: lines for people, still without secrets', async t => {
  const { configFile } = await withSimulator(t, config)
  const host = run(t, ['--config', configFile], { ...env, LOG_FORMAT: 'pretty' })
  const line = await waitForLine(host.stdout, /status API listening/)
  t.throws(() => JSON.parse(line))
  t.match(line, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] INFO: status API listening/)
  await waitForLine(host.stdout, /login ok/)
  host.child.kill('SIGTERM')
  await host.exited
  const all = host.stdout.join('\n')
  t.notOk(all.includes(SIM_PASSWORD) || all.includes(KEY), 'no secret')
})

t.test('on a terminal, pretty by default', async t => {
  const script = await which('script')
  if (!script) return t.plan(0, 'no `script` (util-linux) to give the host a terminal')
  const { configFile } = await withSimulator(t, config)
  // script(1) runs the host on a pseudo-terminal: stdout.isTTY is true there.
  const child = spawn(script, ['-qfec', `${process.execPath} ${CLI} --config ${configFile}`, '/dev/null'], { env: { ...process.env, ...env, LOG_LEVEL: 'info', LOG_FORMAT: '' }, stdio: ['pipe', 'pipe', 'pipe'] })
  const lines: string[] = []
  child.stdout.on('data', chunk => lines.push(...String(chunk).split(/\r?\n/).filter(Boolean)))
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const line = await waitForLine(lines, /status API listening/)
  t.match(line, /INFO/)
  t.throws(() => JSON.parse(line.replace(/\x1b\[[0-9;]*m/g, '')), 'not JSON')
  child.kill('SIGTERM')
})

t.test('an unknown LOG_FORMAT is a clear error, exit 2', async t => {
  const { configFile } = await withSimulator(t, config)
  const host = run(t, ['--config', configFile], { ...env, LOG_FORMAT: 'xml' })
  t.equal(await host.exited, 2)
  t.match(host.stderr.join('\n'), 'LOG_FORMAT: "xml" is not a format; use json or pretty')
})

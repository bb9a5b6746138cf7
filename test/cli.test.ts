import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { demoInstances } from '../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../src/demo/simulators/autodl/server.js'

const CLI = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url))
const KEY = 'cli-test-key-0123456789abcdef'
const PASSWORD = 'cli-test-password'

interface Run { child: ChildProcess; stdout: string[]; stderr: string[]; exited: Promise<number | null> }

function run (t: Test, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const stdout: string[] = []
  const stderr: string[] = []
  child.stdout!.on('data', chunk => stdout.push(...String(chunk).split('\n').filter(Boolean)))
  child.stderr!.on('data', chunk => stderr.push(...String(chunk).split('\n').filter(Boolean)))
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  return { child, stdout, stderr, exited }
}

async function waitForLine (lines: string[], pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const started = Date.now()
  for (;;) {
    const line = lines.find(l => pattern.test(l))
    if (line) return line
    if (Date.now() - started > timeoutMs) throw new Error(`no line matching ${pattern} in:\n${lines.join('\n')}`)
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

t.test('the built CLI runs the host against the simulator; the token survives a restart', async t => {
  const simulator = await startAutodlSimulator({ accounts: [{ phone: '13800000000', password: PASSWORD, instances: demoInstances(new Date()) }] })
  t.teardown(() => simulator.close())
  const dir = await mkdtemp(join(tmpdir(), 'cw-cli-'))
  const configFile = join(dir, 'config.json')
  await writeFile(configFile, JSON.stringify({
    store: 'file:./state/cw.json',
    api: { host: '127.0.0.1', port: 0, apiKeys: ['${CW_KEY}'] },
    providers: [{ id: 'lab', type: 'autodl', phone: '13800000000', password: '${CW_PASSWORD}', baseUrl: simulator.url }]
  }))
  const env = { CW_KEY: KEY, CW_PASSWORD: PASSWORD }

  for (const round of [1, 2]) {
    const host = run(t, ['--config', configFile], env)
    const url = JSON.parse(await waitForLine(host.stdout, /status API listening/)).url as string
    const read = async () => {
      const res = await fetch(`${url}/api/v1/instances`, { headers: { authorization: `Bearer ${KEY}` } })
      return { status: res.status, body: await res.json() as { instances: Array<{ id: string }>; providers: Array<{ ok: boolean }> } }
    }
    let { status, body } = await read()
    const deadline = Date.now() + 15_000
    while (!body.providers[0]?.ok) { // the first poll may still be running
      if (Date.now() > deadline) throw new Error(`the first poll did not succeed in 15 s: ${JSON.stringify(body.providers)}`)
      await new Promise(resolve => setTimeout(resolve, 50));
      ({ status, body } = await read())
    }
    t.equal(status, 200)
    t.equal(body.instances.length, 9, `round ${round}: every simulated instance`)
    t.equal((await fetch(`${url}/api/v1/instances`)).status, 401)
    host.child.kill('SIGTERM')
    t.equal(await host.exited, 0, 'stops cleanly on SIGTERM')
    const logs = host.stdout.join('\n')
    t.notOk(logs.includes(PASSWORD) || logs.includes(KEY), 'no secret in the logs')
  }
  t.equal(simulator.stats.logins, 1, 'the second run reused the stored token')
})

t.test('a bad config exits 2 with the problem and no stack trace', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'cw-cli-'))
  const configFile = join(dir, 'config.json')
  await writeFile(configFile, JSON.stringify({ providers: [{ id: 'lab', type: 'autodl', phone: 13800000000, password: 'x' }] }))
  const bad = run(t, ['--config', configFile])
  t.equal(await bad.exited, 2)
  t.same(bad.stderr, [`computewatch: invalid config file ${configFile}:`, '  - providers[0].phone: must be a string'])
  const missing = run(t, [], { COMPUTEWATCH_CONFIG: join(dir, 'absent.json') })
  t.equal(await missing.exited, 2)
  t.match(missing.stderr.join('\n'), /absent\.json: not found; copy config\.example\.json to start, or run `computewatch demo`/)
  const goodFile = join(dir, 'good.json')
  await writeFile(goodFile, JSON.stringify({ api: { port: 0 }, providers: [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'x' }] }))
  const level = run(t, ['--config', goodFile], { LOG_LEVEL: 'verbose' })
  t.equal(await level.exited, 2)
  t.match(level.stderr.join('\n'), 'LOG_LEVEL: "verbose" is not a level; use one of')
  t.notOk([...bad.stderr, ...missing.stderr, ...level.stderr].some(l => /^\s+at /.test(l)))
})

t.test('the store: a second host on the same file refuses (exit 2, naming the pid); a damaged file is left alone (exit 2)', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'cw-cli-'))
  const configFile = join(dir, 'config.json')
  await writeFile(configFile, JSON.stringify({ store: 'file:./state/cw.json', api: { host: '127.0.0.1', port: 0 }, providers: [] }))
  await mkdir(join(dir, 'state'))
  await writeFile(join(dir, 'state', 'cw.json'), '{"cache":[]}')
  const first = run(t, ['--config', configFile])
  await waitForLine(first.stdout, /status API listening/)
  const second = run(t, ['--config', configFile])
  t.equal(await second.exited, 2)
  t.match(second.stderr.join('\n'), new RegExp(`state/cw\\.json is in use by process ${first.child.pid} \\(lock .*cw\\.json\\.lock\\)`))
  first.child.kill('SIGKILL')
  await first.exited
  await writeFile(join(dir, 'state', 'cw.json'), '{"cache":[["provider:lab:session"')
  const damaged = run(t, ['--config', configFile])
  t.equal(await damaged.exited, 2)
  t.match(damaged.stderr.join('\n'), /cw\.json is damaged: .*will not overwrite it\. To recover, put the last good copy back: mv .*cw\.json\.bak/)
  t.equal(await readFile(join(dir, 'state', 'cw.json'), 'utf8'), '{"cache":[["provider:lab:session"', 'untouched')
  t.notOk([...second.stderr, ...damaged.stderr].some(l => /^\s+at /.test(l)), 'no stack trace')
})

t.test('check runs the validation start runs: every problem one line, exit 2', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'cw-cli-'))
  const plugin = fileURLToPath(new URL('./fixtures/plugins/broken/create-throws.js', import.meta.url))
  const autodl = { type: 'autodl', phone: '13800000000', password: 'x' }
  const cases: Array<[string, object, RegExp]> = [
    ['keepAlive on a type that cannot', { providers: [{ id: 'mon', type: 'nezha', baseUrl: 'https://nezha.example', token: 'nezha-token-0123456789', keepAlive: { enabled: true } }] },
      /providers\[0\]\.keepAlive: nezha cannot keep instances alive/],
    ['a proxy URL that does not parse', { providers: [{ id: 'lab', ...autodl, proxy: 'http://[::1:7890' }] }, /providers\[0\]\.proxy: "http:\/\/\[::1:7890" is not a valid URL/],
    ['a port above 65535 in a URL', { providers: [{ id: 'lab', ...autodl, baseUrl: 'https://www.autodl.com:99999' }] }, /providers\[0\]\.baseUrl: .* is not a valid URL/],
    ['a URL without a host', { providers: [{ id: 'lab', ...autodl, baseUrl: 'http://' }] }, /providers\[0\]\.baseUrl: /],
    ['a plugin whose create() throws', { providers: [{ id: 'inv', type: plugin }] }, /providers\[0\] \("inv"\): the create-throws provider could not be created: certificate file \/etc\/inventory\/ca\.pem not found/],
    ['a store path that is a folder', { store: 'file:./', providers: [] }, /store: store .* is a folder; point "store" at a file/],
    ['a scope that does not exist', { api: { apiKeys: [{ name: 'ops', key: 'k'.repeat(20), scopes: ['admin'] }] }, providers: [] }, /api\.apiKeys\[0\]\.scopes\[0\]: must be one of: "read", "control"/]
  ]
  for (const [name, config, expected] of cases) {
    const file = join(dir, `${cases.findIndex(c => c[0] === name)}.json`)
    await writeFile(file, JSON.stringify(config))
    const check = run(t, ['check', '--config', file])
    t.equal(await check.exited, 2, `${name}: exit 2`)
    t.match(check.stderr.join('\n'), expected, name)
    t.notOk(check.stderr.some(l => /^\s+at /.test(l)), `${name}: no stack trace`)
  }
  const deep = join(dir, 'deep.json')
  await writeFile(deep, `{"providers":[],"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)
  const nested = run(t, ['check', '--config', deep])
  t.equal(await nested.exited, 2)
  t.match(nested.stderr.join('\n'), /nested deeper than 32 levels/)
  const several = join(dir, 'several.json')
  await writeFile(several, JSON.stringify({ api: { port: 99999 }, providers: [{ id: 'lab', ...autodl, proxy: 'http://[::1:7890' }] }))
  const all = run(t, ['check', '--config', several])
  t.equal(await all.exited, 2)
  t.equal(all.stderr.filter(l => l.startsWith('  - ')).length, 2, 'both problems, one line each')
})

t.test('check --online logs in with each entry once, through the store, and respects the back-off', async t => {
  const simulator = await startAutodlSimulator({ accounts: [{ phone: '13800000000', password: PASSWORD, instances: demoInstances(new Date()) }] })
  t.teardown(() => simulator.close())
  const dir = await mkdtemp(join(tmpdir(), 'cw-cli-'))
  const configFile = join(dir, 'config.json')
  await writeFile(configFile, JSON.stringify({
    store: 'file:./state/cw.json',
    api: { host: '127.0.0.1', port: 0 },
    providers: [
      { id: 'lab', type: 'autodl', phone: '13800000000', password: PASSWORD, baseUrl: simulator.url },
      { id: 'typo', type: 'autodl', phone: '13800000000', password: 'wrong-password', baseUrl: simulator.url }
    ]
  }))
  const first = run(t, ['check', '--online', '--config', configFile])
  t.equal(await first.exited, 1, 'one entry failed')
  t.equal(first.stdout[1], 'lab (autodl): ok')
  t.match(first.stdout[2], /^typo \(autodl\): CW_ERR_PROVIDER_AUTH: AutoDL login failed: LoginFailed .*; next attempt after /)
  t.notOk(first.stdout.join('\n').includes('wrong-password'))
  const logins = simulator.stats.requests['/api/v1/new_login']
  const second = run(t, ['check', '--online', '--config', configFile])
  t.equal(await second.exited, 1)
  t.equal(second.stdout[1], 'lab (autodl): ok', 'the stored token is used')
  t.match(second.stdout[2], /not trying again until/)
  t.equal(simulator.stats.requests['/api/v1/new_login'], logins, 'no login at all the second time')
  const host = run(t, ['--config', configFile], { LOG_LEVEL: 'info' })
  await waitForLine(host.stdout, /status API listening/)
  const busy = run(t, ['check', '--online', '--config', configFile])
  t.equal(await busy.exited, 2, 'not while a host runs on the store')
  t.match(busy.stderr.join('\n'), /is in use by process \d+/)
})

t.test('check, --version and --help', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'cw-cli-'))
  const configFile = join(dir, 'config.json')
  await writeFile(configFile, JSON.stringify({ providers: [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'x' }] }))
  const check = run(t, ['check', '--config', configFile])
  t.equal(await check.exited, 0)
  t.same(check.stdout, [`${configFile}: valid (1 provider entries, bot off)`])
  const version = run(t, ['--version'])
  t.equal(await version.exited, 0)
  t.match(version.stdout[0], /^\d+\.\d+\.\d+$/)
  const help = run(t, ['--help'])
  t.equal(await help.exited, 0)
  t.match(help.stdout.join('\n'), /computewatch demo/)
  t.match(help.stdout.join('\n'), /Provider types: autodl/)
})

t.test('demo serves every provider side by side', async t => {
  const demo = run(t, ['demo', '--port', '0'], { LOG_LEVEL: 'warn' })
  const line = await waitForLine(demo.stdout, /^ {2}instances {3}http/)
  t.match(line, '(31 from 6 providers)')
  const url = /(http:\/\/\S+)/.exec(line)![1]!
  const body = await (await fetch(url)).json() as { instances: unknown[]; providers: Array<{ type: string; ok: boolean }> }
  t.equal(body.instances.length, 31)
  t.same(body.providers.map(p => [p.type, p.ok]), [['autodl', true], ['nezha', true], ['computeshare', true], ['pterodactyl', true], ['boardmate', true], ['onecloud', true]])
  t.equal(demo.stdout.filter(l => l.startsWith('  simulator')).length, 6)
  demo.child.kill('SIGINT')
  t.equal(await demo.exited, 0)
})

t.test('computeshare create-sandbox through the built CLI', async t => {
  const { startComputeshareSimulator } = await import('../src/demo/simulators/computeshare/server.js')
  const simulator = await startComputeshareSimulator({ users: [{ username: 'u1', password: 'p1-password' }], vms: [] })
  t.teardown(() => simulator.close())
  const dir = await mkdtemp(join(tmpdir(), 'cw-cli-'))
  const configFile = join(dir, 'config.json')
  await writeFile(configFile, JSON.stringify({ store: 'file:./state.json', providers: [{ id: 'cs', type: 'computeshare', username: 'u1', password: 'p1-password', baseUrl: simulator.url }] }))
  await writeFile(join(dir, 'spec.json'), JSON.stringify({ specId: 2, imageId: 1, durationMonths: 1, name: 'cli-box', publicKey: 'ssh-ed25519 AAAAC3Nza test', networkMappings: [{ name: 'web', protocol: 'TCP', computerPort: 8080 }] }))
  const refused = run(t, ['computeshare', 'create-sandbox', '--config', configFile, '--provider', 'cs', '--file', join(dir, 'spec.json')])
  t.equal(await refused.exited, 2, 'not confirmed when not in a terminal')
  t.match(refused.stderr.join('\n'), 'confirm with --yes')
  const created = run(t, ['computeshare', 'create-sandbox', '--config', configFile, '--provider', 'cs', '--file', join(dir, 'spec.json'), '--yes'])
  t.equal(await created.exited, 0)
  t.match(created.stdout.join('\n'), /^sandbox created: instance [0-9a-f-]{36}\n {2}web {2}port 8080 → 61\.172\.179\.73:41071$/)
})

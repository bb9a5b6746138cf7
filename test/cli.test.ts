import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { run, SIM_PASSWORD, SIM_PHONE, waitForLine, withSimulator } from './helpers/cli.js'

const KEY = 'cli-test-key-0123456789abcdef'
const PASSWORD = SIM_PASSWORD

t.test('the built CLI runs the host against the simulator; the token survives a restart', async t => {
  const { simulator, configFile } = await withSimulator(t, url => ({
    store: 'file:./state/cw.json',
    api: { host: '127.0.0.1', port: 0, apiKeys: ['${CW_KEY}'] },
    providers: [{ id: 'lab', type: 'autodl', phone: SIM_PHONE, password: '${CW_PASSWORD}', baseUrl: url }]
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
  t.match(demo.stdout[0], /^computewatch demo: open http:\/\/127\.0\.0\.1:\d+\/ /, 'the page\'s URL comes first')
  const key = /^ {2}API key {5}(\S+)/.exec(demo.stdout.find(l => l.startsWith('  API key')) ?? '')?.[1]
  t.ok(key, 'a generated key is printed')
  t.match(line, '(31 from 6 providers)')
  const url = /(http:\/\/\S+)/.exec(line)![1]!
  t.equal((await fetch(url)).status, 401, 'the API needs the key')
  const body = await (await fetch(url, { headers: { authorization: `Bearer ${key!}` } })).json() as { instances: unknown[]; providers: Array<{ type: string; ok: boolean }> }
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
  await writeFile(join(dir, 'spec.json'), JSON.stringify({ specId: 2, imageId: 1, name: 'cli-box', publicKey: 'ssh-ed25519 AAAAC3Nza test', networkMappings: [{ name: 'web', protocol: 'TCP', computerPort: 8080 }] }))
  const refused = run(t, ['computeshare', 'create-sandbox', '--config', configFile, '--provider', 'cs', '--file', join(dir, 'spec.json')])
  t.equal(await refused.exited, 2, 'not confirmed when not in a terminal')
  t.match(refused.stderr.join('\n'), 'confirm with --yes')
  const created = run(t, ['computeshare', 'create-sandbox', '--config', configFile, '--provider', 'cs', '--file', join(dir, 'spec.json'), '--yes'])
  t.equal(await created.exited, 0)
  t.match(created.stdout.join('\n'), /^sandbox created: instance [0-9a-f-]{36}\n {2}web {2}port 8080 → 61\.172\.179\.73:41071$/)
})

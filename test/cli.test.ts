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

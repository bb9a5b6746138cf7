import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { run, SIM_PASSWORD, SIM_PHONE, waitForLine, withSimulator } from './helpers/cli.js'

const PASSWORD = SIM_PASSWORD
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
  // Independent processes: run side by side.
  const checks = await Promise.all(cases.map(async ([name, config], index) => {
    const file = join(dir, `${index}.json`)
    await writeFile(file, JSON.stringify(config))
    const check = run(t, ['check', '--config', file])
    return { name, check, code: await check.exited }
  }))
  for (const [index, { name, check, code }] of checks.entries()) {
    t.equal(code, 2, `${name}: exit 2`)
    t.match(check.stderr.join('\n'), cases[index]![2], name)
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
  const { simulator, configFile } = await withSimulator(t, url => ({
    store: 'file:./state/cw.json',
    api: { host: '127.0.0.1', port: 0 },
    providers: [
      { id: 'lab', type: 'autodl', phone: SIM_PHONE, password: PASSWORD, baseUrl: url },
      { id: 'typo', type: 'autodl', phone: SIM_PHONE, password: 'wrong-password', baseUrl: url }
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

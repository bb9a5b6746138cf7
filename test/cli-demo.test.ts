import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { run, waitForLine } from './helpers/cli.js'

// The demo and the provider commands of the built CLI, beside test/cli.test.ts (each file has 60 s).

t.test('demo serves every provider side by side', async t => {
  const demo = run(t, ['demo', '--port', '0'], { LOG_LEVEL: 'warn' })
  const line = await waitForLine(demo.stdout, /^ {2}instances {3}http/, 40_000) // a demo of every provider starts slowly on a loaded machine
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

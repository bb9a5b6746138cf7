import { createServer } from 'node:net'
import t, { type Test } from 'tap'
import { buildApi } from '../src/api/index.js'
import { Aggregator } from '../src/core/aggregator.js'
import { FakeProvider, fakeInstance } from './helpers/fake-provider.js'
import { run } from './helpers/cli.js'
import { captureLog } from './helpers/log.js'

const KEY = 'status-read-key-0123456789'

/** A port nothing listens on (taken, then released). */
async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}

/** A running API over two entries; `failing` makes the second one fail. */
async function host (t: Test, failing: boolean): Promise<string> {
  const captured = captureLog()
  const aggregator = new Aggregator({ pollIntervalMs: 60_000, pollTimeoutMs: 5000, log: captured.log, secrets: captured.secrets })
  const lab = new FakeProvider()
  lab.next = { instances: [fakeInstance('a1', { name: 'trainer', region: '西北B区', state: 'stopped', gpu: { model: 'RTX 4090', requested: 1, hostIdle: 2, hostTotal: 8 }, releaseAt: new Date(Date.now() + 30 * 3600_000).toISOString(), pricePerHour: 1.98 })] }
  const srv = new FakeProvider()
  srv.next = failing ? { error: new Error('connection refused') } : { instances: [fakeInstance('s1', { name: 'web' })] }
  await aggregator.add({ id: 'lab', type: 'autodl', provider: lab, log: captured.log })
  await aggregator.add({ id: 'srv', type: 'nezha', provider: srv, log: captured.log })
  await aggregator.refresh()
  const app = await buildApi({ aggregator, apiKeys: [{ name: 'cli', key: KEY, scopes: ['read'] }], log: captured.log, version: 't' })
  t.teardown(() => app.close())
  return await app.listen({ port: 0, host: '127.0.0.1' })
}

t.test('status prints each provider, then the instances, and exits 0 when every provider is ok', async t => {
  const url = await host(t, false)
  const { stdout, exited } = run(t, ['status', '--url', url], { COMPUTEWATCH_KEY: KEY })
  t.equal(await exited, 0)
  const text = stdout.join('\n')
  t.match(text, /│ lab\s+│ autodl\s+│ ok\s+│ 1\s+│/)
  t.match(text, /│ srv\s+│ nezha\s+│ ok\s+│/)
  t.match(text, /│ lab\s+│ 西北B区 \/ trainer\s+│ stopped\s+│ RTX 4090 × 1\s+│ 2\/8\s+│ 1d, 5h\s+│ ¥1\.98\s+│/)
  t.match(text, '2 provider entries (all ok), 2 instances')
  // The table lines up although the region is in Chinese (two columns per character).
  const widths = new Set(stdout.filter(l => l.startsWith('│ lab ') || l.startsWith('│ srv ')).slice(-2).map(l => [...l].reduce((n, c) => n + (/[\u4e00-\u9fff]/.test(c) ? 2 : 1), 0)))
  t.equal(widths.size, 1)
})

t.test('a failing provider: exit 1, the reason in the table', async t => {
  const url = await host(t, true)
  const { stdout, exited } = run(t, ['status', '--url', url, '--key', KEY])
  t.equal(await exited, 1)
  t.match(stdout.join('\n'), /│ srv\s+│ nezha\s+│ FAILING\s+│ 0\s+│ never\s+│ connection refused/)
  t.match(stdout.join('\n'), '(1 failing)')
})

t.test('--json prints the API\'s instance list', async t => {
  const url = await host(t, false)
  const { stdout, exited } = run(t, ['status', '--json', '--url', url], { COMPUTEWATCH_KEY: KEY })
  t.equal(await exited, 0)
  const list = JSON.parse(stdout.join('\n'))
  t.same(list.providers.map((p: { id: string }) => p.id), ['lab', 'srv'])
  t.equal(list.instances.length, 2)
})

t.test('no key, an unreachable host, a bad URL: exit 1 with what to do', async t => {
  const url = await host(t, false)
  const noKey = run(t, ['status', '--url', url], { COMPUTEWATCH_KEY: '' })
  t.equal(await noKey.exited, 1)
  t.match(noKey.stderr.join('\n'), 'wants an API key with the "read" scope: pass --key, or set COMPUTEWATCH_KEY')
  const closed = await freePort()
  const down = run(t, ['status', '--url', `http://127.0.0.1:${closed}`], { COMPUTEWATCH_KEY: KEY })
  t.equal(await down.exited, 1)
  t.match(down.stderr.join('\n'), `cannot reach http://127.0.0.1:${closed} (ECONNREFUSED): is the host running?`)
  const bad = run(t, ['status', '--url', 'ftp://x'])
  t.equal(await bad.exited, 1)
  t.match(bad.stderr.join('\n'), '--url "ftp://x" is not an http(s) URL')
  const withPassword = run(t, ['status', '--url', `http://user:pass-in-url-123@127.0.0.1:${closed}`], { COMPUTEWATCH_KEY: KEY })
  t.equal(await withPassword.exited, 1)
  t.match(withPassword.stderr.join('\n'), `--url http://127.0.0.1:${closed} carries a user or password; the API takes a key`)
  t.notOk(withPassword.stderr.join('\n').includes('pass-in-url-123'), 'the password in the URL is not printed')
  t.notOk([...noKey.stderr, ...down.stderr].join('\n').includes(KEY), 'the key is never printed')
})

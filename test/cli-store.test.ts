import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { run, waitForLine } from './helpers/cli.js'

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

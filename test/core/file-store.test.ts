import { execFileSync, spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { storeFileIo } from '../../src/core/file-store.js'
import { openStateStore, type StateStore } from '../../src/core/store.js'
import { captureLog } from '../helpers/log.js'

async function tempDir (t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cw-fstore-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/**
 * A real small filesystem (tmpfs of `size`) mounted for the test, or null where this machine does not
 * allow mounting (then the caller says so and uses another way to fail writes).
 */
function mountTmpfs (t: Test, dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'ignore' })
  } catch {
    return false
  }
  t.teardown(() => { try { execFileSync('umount', ['-l', dir], { stdio: 'ignore' }) } catch { /* already gone */ } })
  return true
}

async function open (dir: string, log = captureLog().log): Promise<StateStore> {
  return await openStateStore(`file:${join(dir, 'data', 'cw.json')}`, { baseDir: '/', log })
}

t.test('a full disk: the write is refused with CW_ERR_STORE, nothing half-kept, one log line per burst, reads go on', async t => {
  const dir = await tempDir(t)
  const mounted = mountTmpfs(t, dir, '96k')
  const original = storeFileIo.write
  t.teardown(() => { storeFileIo.write = original })
  if (!mounted) t.comment('cannot mount a tmpfs here: the disk fills (ENOSPC) through the store\'s write call after 20 writes')
  const captured = captureLog()
  const store = await open(dir, captured.log)
  const mutes = store.namespace('alerts')
  const value = 'x'.repeat(1024)
  const acknowledged: string[] = []
  let refused: unknown
  for (let i = 0; i < 400 && refused === undefined; i++) {
    if (!mounted && i === 20) storeFileIo.write = async () => { throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }) }
    try {
      await mutes.set(`mute:${i}`, value)
      acknowledged.push(`mute:${i}`)
    } catch (err) {
      refused = err
    }
  }
  t.ok(acknowledged.length > 5, `${acknowledged.length} writes kept before the disk filled`)
  t.match(refused, { code: 'CW_ERR_STORE', statusCode: 503, message: /ENOSPC.*nothing was changed/ })
  t.equal(await mutes.get(`mute:${acknowledged.length}`), undefined, 'the refused change is not readable')
  for (let i = 0; i < 30; i++) await t.rejects(mutes.set(`more:${i}`, value), { code: 'CW_ERR_STORE' })
  t.equal(await mutes.get(acknowledged[0]!), value, 'reads keep working')
  t.equal(captured.entries().filter(l => String(l['msg']).includes('writing failed')).length, 1, 'one error line for 31 refused writes')
  // Make room (deleting a key needs a write too, which a full disk refuses): drop the copy kept at start.
  if (mounted) await rm(join(dir, 'data', 'cw.json.bak'), { force: true })
  else storeFileIo.write = original
  await mutes.delete(acknowledged.pop()!)
  t.ok(captured.entries().some(l => String(l['msg']).includes('writing works again') && l['failedWrites'] === 31))
  await store.close()
  const reopened = await open(dir)
  for (const key of acknowledged) t.equal(await reopened.namespace('alerts').get(key), value)
  t.equal(await reopened.namespace('alerts').get('more:0'), undefined)
  await reopened.close()
})

t.test('a read-only filesystem (or a folder the host may not write): CW_ERR_STORE, the old value stays', async t => {
  const dir = await tempDir(t)
  const mounted = mountTmpfs(t, dir, '1m')
  const store = await open(dir)
  const ns = store.namespace('alerts')
  await ns.set('kept', 'before')
  if (mounted) {
    execFileSync('mount', ['-o', 'remount,ro', dir])
  } else {
    // Not root or no mount: a file where the store's folder must be makes every write fail the same way.
    await rm(join(dir, 'data'), { recursive: true, force: true })
    await writeFile(join(dir, 'data'), 'not a folder')
  }
  const err = await ns.set('kept', 'after').catch(e => e)
  t.match(err, { code: 'CW_ERR_STORE', message: mounted ? /EROFS/ : /E(NOTDIR|EXIST)/ })
  t.equal(await ns.get('kept'), 'before', 'the change was taken back in memory')
  if (mounted) {
    execFileSync('mount', ['-o', 'remount,rw', dir])
    await ns.set('kept', 'after')
    t.equal(await ns.get('kept'), 'after')
  }
  await store.close()
})

t.test('a damaged store is never overwritten: open refuses, names the file and the last good copy', async t => {
  const dir = await tempDir(t)
  const first = await open(dir)
  await first.namespace('alerts').set('mute:1', 'kept')
  await first.close()
  const second = await open(dir) // a good start keeps a copy
  await second.close()
  const file = join(dir, 'data', 'cw.json')
  await writeFile(file, '{"cache":[["alerts:mute:1",{"val')
  const err = await open(dir).catch(e => e)
  t.match(err, { code: 'CW_ERR_STORE', message: /cw\.json is damaged: .*JSON.*will not overwrite it.*mv .*cw\.json\.bak .*cw\.json/s })
  t.equal(await readFile(file, 'utf8'), '{"cache":[["alerts:mute:1",{"val', 'left as it was')
  t.equal((await stat(`${file}.lock`).catch(() => null)), null, 'the refusing start released its lock')
  // Following the advice recovers the data.
  await writeFile(file, await readFile(`${file}.bak`))
  const recovered = await open(dir)
  t.equal(await recovered.namespace('alerts').get('mute:1'), 'kept')
  await recovered.close()

  await writeFile(file, '')
  t.match(await open(dir).catch(e => e), { code: 'CW_ERR_STORE', message: /the file is empty/ })
  await writeFile(file, '[1,2]')
  t.match(await open(dir).catch(e => e), { message: /not a computewatch store/ })
  await rm(`${file}.bak`)
  await writeFile(file, '')
  const captured = captureLog()
  const fresh = await open(dir, captured.log) // an empty file from an earlier version's first start
  t.notOk(captured.entries().some(l => Number(l['level']) >= 50), 'no error, no stack trace')
  await fresh.close()
})

t.test('each write is the whole store as it is now: changed, deleted, expired and refused entries included', async t => {
  const dir = await tempDir(t)
  const file = join(dir, 'data', 'cw.json')
  const store = await open(dir)
  const original = storeFileIo.write
  t.teardown(() => { storeFileIo.write = original })
  const written: string[] = []
  storeFileIo.write = async (path, content) => { written.push(content.toString()); await original(path, content) }
  const alerts = store.namespace('alerts')
  const ledger = store.namespace('ledger')
  /** The file's entries as key → stored value, parsed the way the store reads it back. */
  const entries = async (): Promise<Record<string, unknown>> => {
    const layout = JSON.parse(await readFile(file, 'utf8')) as { cache: Array<[string, { value: unknown }]>; lastExpire: number }
    t.equal(typeof layout.lastExpire, 'number')
    return Object.fromEntries(layout.cache.map(([key, entry]) => [key, JSON.parse(String(entry.value)).value]))
  }

  await alerts.set('a', { n: 1, text: 'quote " and \\ backslash, 中文' })
  await ledger.set('b', [1, 2, 3])
  await alerts.set('short', 'gone soon', 50)
  t.same(await entries(), { 'alerts:a': { n: 1, text: 'quote " and \\ backslash, 中文' }, 'ledger:b': [1, 2, 3], 'alerts:short': 'gone soon' })
  // Once written, an entry is kept only as its piece of the file: reads decode it.
  t.same(await alerts.get('a'), { n: 1, text: 'quote " and \\ backslash, 中文' }, 'read back after the write')
  t.same(await ledger.get('b'), [1, 2, 3])
  await alerts.set('a', { n: 2 }) // a key written before, changed: its new value is written, not the old one
  await new Promise(resolve => setTimeout(resolve, 80))
  await ledger.delete('b')
  t.same(await entries(), { 'alerts:a': { n: 2 } }, 'the change is kept, the deleted and the expired entries are gone')

  // A refused write takes its change back: the next write has the value from before it.
  storeFileIo.write = async () => { throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }) }
  await t.rejects(alerts.set('a', { n: 3 }), { code: 'CW_ERR_STORE' })
  storeFileIo.write = async (path, content) => { written.push(content.toString()); await original(path, content) }
  await ledger.set('c', 'new')
  t.same(await entries(), { 'alerts:a': { n: 2 }, 'ledger:c': 'new' })
  for (const text of written) {
    const layout = JSON.parse(text) as object
    t.equal(text, JSON.stringify(layout), 'the file is plain JSON.stringify output (the layout earlier versions read)')
  }
  await store.close()
  const reopened = await open(dir)
  t.same(await reopened.namespace('alerts').get('a'), { n: 2 })
  await reopened.close()
})

t.test('a store path that is a folder is named as such', async t => {
  const dir = await tempDir(t)
  await mkdir(join(dir, 'data', 'cw.json'), { recursive: true })
  t.match(await open(dir).catch(e => e), { code: 'CW_ERR_STORE', message: /cw\.json is a folder/ })
})

t.test('one writer: a second host refuses, naming the lock and the pid; a dead pid\'s lock is taken over', async t => {
  const dir = await tempDir(t)
  const file = join(dir, 'data', 'cw.json')
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' })
  t.teardown(() => holder.kill('SIGKILL'))
  await mkdir(join(dir, 'data'), { recursive: true })
  await writeFile(`${file}.lock`, `${holder.pid}\n`)
  t.match(await open(dir).catch(e => e), { code: 'CW_ERR_STORE', message: new RegExp(`in use by process ${holder.pid} \\(lock .*cw\\.json\\.lock\\)`) })
  holder.kill('SIGKILL')
  await new Promise(resolve => holder.once('exit', resolve))
  const captured = captureLog()
  const store = await open(dir, captured.log)
  t.ok(captured.entries().some(l => String(l['msg']).includes('stale lock') && l['pid'] === holder.pid))
  t.equal((await readFile(`${file}.lock`, 'utf8')).trim(), String(process.pid))
  await store.close()
  t.equal(await stat(`${file}.lock`).catch(() => null), null, 'released on close')
})

t.test('files are 0600 in a 0700 folder, also when the folder is deleted while running', async t => {
  const dir = await tempDir(t)
  const store = await open(dir)
  await store.namespace('provider:lab').set('session', { token: 'T' })
  const folder = join(dir, 'data')
  await rm(folder, { recursive: true })
  await store.namespace('provider:lab').set('session', { token: 'U' })
  t.equal((await stat(folder)).mode & 0o777, 0o700)
  t.equal((await stat(join(folder, 'cw.json'))).mode & 0o777, 0o600)
  t.equal((await stat(join(folder, 'cw.json.lock'))).mode & 0o777, 0o600, 'the lock is back too')
  await store.close()
})

t.test('kill -9 at random moments: every acknowledged change survives, the file is never empty or partial', async t => {
  const dir = await tempDir(t)
  const writer = new URL('../fixtures/store-writer.mjs', import.meta.url).pathname
  const acknowledged: string[] = []
  let tries = 0
  const deadline = Date.now() + 25_000 // the loop is bounded; nothing asserts how long it took
  while (tries < 30 && Date.now() < deadline) {
    tries++
    const child = spawn(process.execPath, [writer, join(dir, 'data', 'cw.json'), String(tries)], { stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise(resolve => child.once('exit', resolve))
    const acks: string[] = []
    let buffer = ''
    const killAfter = 5 + Math.floor(Math.random() * 300)
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += String(chunk)
      const lines = buffer.split('\n')
      buffer = lines.pop()!
      acks.push(...lines)
      if (acks.length >= killAfter) child.kill('SIGKILL')
    })
    await exited
    acknowledged.push(...acks)
    const store = await open(dir) // throws if the file were empty, partial or damaged
    const ns = store.namespace('alerts')
    const missing = []
    for (const key of acknowledged) if (await ns.get(key) === undefined) missing.push(key)
    await store.close()
    if (missing.length > 0) { t.fail(`try ${tries}: ${missing.length} acknowledged changes lost, e.g. ${missing[0]}`); break }
  }
  t.ok(tries >= 5, `${tries} kill -9 runs, ${acknowledged.length} acknowledged changes, all kept`)
  t.ok((await stat(join(dir, 'data', 'cw.json'))).size > 100_000, 'a store of realistic size')
})

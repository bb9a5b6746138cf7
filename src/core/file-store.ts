import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { StoreError } from './errors.js'
import { acquireStoreLock, type StoreLock } from './store-lock.js'
import type { Logger } from './logger.js'

/**
 * The one call that writes the store file. Tests replace `write` to fail like a full disk on machines
 * where they cannot mount a small filesystem; nothing else should touch it.
 */
export const storeFileIo = { write: replaceFile }

/**
 * Atomic replacement: write `text` to a new temp file (0600) beside `path`, fsync it, rename it over
 * `path`. A reader sees the old file or the new one, never a mix.
 *
 * Not `write-file-atomic` (7.0.1) or `atomically` (2.1.1): both hand the content to one `write(2)` and
 * ignore a short write, which is what a filling disk returns — on a 96 KB tmpfs they renamed a truncated
 * file into place without an error. `FileHandle.writeFile` loops until every byte is written, so the
 * disk filling up surfaces as ENOSPC before the rename.
 */
async function replaceFile (path: string, content: string | Buffer): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  const handle = await open(temp, 'wx', 0o600)
  try {
    await handle.writeFile(content)
    await handle.sync()
    await handle.close()
    await rename(temp, path)
  } catch (err) {
    await handle.close().catch(() => {})
    await unlink(temp).catch(() => {})
    throw err
  }
}

const COMMA = Buffer.from(',')

/** One stored value as keyv hands it to its adapter (already serialised) and its expiry (epoch ms). */
interface Entry { value: unknown; expire?: number | undefined }

/**
 * One kept entry, held once: as keyv handed it until the next write, then only as its piece of the file
 * (`JSON.stringify([key, { value, expire }])` as UTF-8), which a read decodes. Each owner of a key (the
 * ledger, the GPU history, the alert state…) reads it once and keeps its own copy, so reads after a
 * write are rare; at 200 accounts × 50 instances the value strings were 2.4 MB of heap beside the pieces.
 */
interface Kept {
  /** The serialised value; undefined once `piece` holds it. */
  value: unknown
  /** Epoch milliseconds. */
  expire: number | undefined
  piece: Buffer | undefined
}

/** One change of a write batch, kept to take it back if the batch cannot be written. */
interface Undo { key: string; previous: Kept | undefined; written: Kept | undefined }

/**
 * The file's layout: `{ cache: [[key, { value, expire }], …], lastExpire }` — the layout keyv-file
 * used (https://github.com/zaaack/keyv-file, `src/index.ts`), so stores written by earlier versions
 * open unchanged.
 */
interface FileLayout { cache: Array<[string, Entry]> | Record<string, Entry>; lastExpire?: number }

/**
 * A keyv storage adapter over one JSON file, written so that an acknowledged change is durable:
 * - every change is written by atomic replacement ({@link replaceFile}: a temp file, fsync, rename),
 *   then the folder is fsynced, before the change's promise resolves; changes made while a write runs
 *   share the next write (group commit), so a burst costs two writes, not one each;
 * - a write that fails (ENOSPC, EROFS, EACCES…) rejects every change of its batch with `StoreError`
 *   and takes the changes back in memory, so reads never show what was not kept; the failure is
 *   logged once per burst;
 * - the file is `0600` in a `0700` folder, also when the folder is recreated while running;
 * - at open, a damaged file is never overwritten (see {@link JsonFileStore.open}), and a copy of the
 *   good file is kept beside it as `<file>.bak`;
 * - one process writes the file: a lock file `<file>.lock` holds its pid.
 */
export class JsonFileStore extends EventEmitter {
  /** Set by keyv; this adapter keeps keyv's prefixed keys as they come. */
  namespace: string | undefined
  readonly opts: { filename: string }
  /**
   * The entries by key. A write copies their pieces together instead of serialising and encoding every
   * value again: with 200 accounts the file is a few MB, and while the accounts' polls end their saves
   * make writes run back to back.
   */
  readonly #data: Map<string, Kept>
  readonly #log: Logger
  readonly #lock: StoreLock
  #undo: Undo[] = []
  #next: Promise<void> | undefined
  #last: Promise<void> = Promise.resolve()
  #failures = 0

  private constructor (filename: string, data: Map<string, Kept>, lock: StoreLock, log: Logger) {
    super()
    // One adapter serves every namespace: keyv adds an error listener per namespace (one per provider entry).
    this.setMaxListeners(0)
    this.opts = { filename }
    this.#data = data
    this.#lock = lock
    this.#log = log
  }

  /**
   * Take the lock, read the file and keep a copy of it as `<file>.bak`.
   * @throws StoreError when another live process holds the lock (naming its pid), when the path is a
   *   folder or cannot be read, or when the file is damaged (not JSON, not a store, or empty while a
   *   `.bak` exists) — the message names the file, what is wrong and how to recover.
   */
  static async open (filename: string, log: Logger): Promise<JsonFileStore> {
    await mkdir(dirname(filename), { recursive: true, mode: 0o700 })
      .catch((err: NodeJS.ErrnoException) => { throw new StoreError(`store ${filename}: cannot create its folder (${err.code ?? err.message})`) })
    const lock = await acquireStoreLock(filename, log)
    try {
      const { data, text } = await readStore(filename, log)
      if (text !== undefined) await replaceFile(`${filename}.bak`, text)
      return new JsonFileStore(filename, data, lock, log)
    } catch (err) {
      await lock.release()
      throw err
    }
  }

  async get (key: string): Promise<unknown> {
    const kept = this.#data.get(key)
    if (kept === undefined || (kept.expire !== undefined && kept.expire <= Date.now())) return undefined
    return kept.piece === undefined ? kept.value : (JSON.parse(kept.piece.toString()) as [string, Entry])[1].value
  }

  async getMany (keys: string[]): Promise<unknown[]> {
    return await Promise.all(keys.map(async key => await this.get(key)))
  }

  async has (key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined
  }

  async set (key: string, value: unknown, ttl?: number): Promise<boolean> {
    this.#change(key, { value, expire: typeof ttl === 'number' && ttl > 0 ? Date.now() + ttl : undefined, piece: undefined })
    await this.#save()
    return true
  }

  async delete (key: string): Promise<boolean> {
    if (!this.#data.has(key)) return false
    this.#change(key, undefined)
    await this.#save()
    return true
  }

  async deleteMany (keys: string[]): Promise<boolean> {
    const present = keys.filter(key => this.#data.has(key))
    for (const key of present) this.#change(key, undefined)
    if (present.length > 0) await this.#save()
    return present.length === keys.length
  }

  /** Remove every key of the current namespace (keyv prefixes keys with `<namespace>:`). */
  async clear (): Promise<void> {
    const prefix = this.namespace === undefined ? '' : `${this.namespace}:`
    for (const key of [...this.#data.keys()]) if (key.startsWith(prefix)) this.#change(key, undefined)
    await this.#save()
  }

  /** Wait for pending writes and release the lock. */
  async close (): Promise<void> {
    await this.#last.catch(() => {})
    await this.#lock.release()
  }

  #change (key: string, kept: Kept | undefined): void {
    this.#undo.push({ key, previous: this.#data.get(key), written: kept })
    if (kept === undefined) this.#data.delete(key)
    else this.#data.set(key, kept)
  }

  /** Join the next write: it starts when the running one ends and carries every change made until then. */
  async #save (): Promise<void> {
    if (this.#next === undefined) {
      this.#next = this.#last.catch(() => {}).then(async () => {
        this.#next = undefined
        const batch = this.#undo
        this.#undo = []
        try {
          await this.#write()
        } catch (err) {
          this.#revert(batch)
          throw this.#failed(err as NodeJS.ErrnoException)
        }
        this.#recovered()
      })
      this.#last = this.#next
    }
    await this.#next
  }

  async #write (): Promise<void> {
    const filename = this.opts.filename
    const folder = dirname(filename)
    // The folder may have been deleted while running: recreate it private, with the lock inside.
    if (await mkdir(folder, { recursive: true, mode: 0o700 }) !== undefined) await this.#lock.restore()
    await storeFileIo.write(filename, this.#content(Date.now()))
    await fsyncFolder(folder)
  }

  /** The file's content: exactly `JSON.stringify({ cache, lastExpire: now })` of the entries not expired at `now`, UTF-8. */
  #content (now: number): Buffer {
    const parts: Buffer[] = [Buffer.from('{"cache":[')]
    for (const [key, kept] of this.#data) {
      if (kept.expire !== undefined && kept.expire <= now) continue
      if (kept.piece === undefined) {
        const entry: Entry = { value: kept.value, expire: kept.expire }
        kept.piece = Buffer.from(JSON.stringify([key, entry]))
        kept.value = undefined
      }
      if (parts.length > 1) parts.push(COMMA)
      parts.push(kept.piece)
    }
    parts.push(Buffer.from(`],"lastExpire":${now}}`))
    return Buffer.concat(parts)
  }

  #revert (batch: Undo[]): void {
    for (const { key, previous, written } of batch.reverse()) {
      if (this.#data.get(key) !== written) continue
      if (previous === undefined) this.#data.delete(key)
      else this.#data.set(key, previous)
    }
  }

  #failed (err: NodeJS.ErrnoException): StoreError {
    const reason = err.code ?? err.message
    if (this.#failures++ === 0) {
      this.#log.error({ file: this.opts.filename, err: { code: err.code, message: err.message } }, 'state store: writing failed; changes are refused until it works again')
    }
    return new StoreError(`could not save the change to ${this.opts.filename} (${reason}); nothing was changed`, { cause: err })
  }

  #recovered (): void {
    if (this.#failures === 0) return
    this.#log.warn({ file: this.opts.filename, failedWrites: this.#failures }, 'state store: writing works again')
    this.#failures = 0
  }
}

/**
 * What would keep the host from opening the store file, without opening it (no lock, no write): the
 * path is a folder, cannot be read, or the file is damaged. Null when it would open. `computewatch
 * check` uses it; the host may be running meanwhile.
 */
export async function inspectStoreFile (filename: string): Promise<string | null> {
  try {
    await readStore(filename)
    return null
  } catch (err) {
    return (err as Error).message
  }
}

async function fsyncFolder (folder: string): Promise<void> {
  const handle = await open(folder, 'r')
  try { await handle.sync() } finally { await handle.close() }
}

/** Read and check the store file. `text` is the good file's content (undefined when there is none yet). */
async function readStore (filename: string, log?: Logger): Promise<{ data: Map<string, Kept>; text: string | undefined }> {
  let text: string
  try {
    text = await readFile(filename, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return { data: new Map(), text: undefined }
    if (code === 'EISDIR') throw new StoreError(`store ${filename} is a folder; point "store" at a file, e.g. file:./data/computewatch.json`)
    throw new StoreError(`store ${filename} cannot be read (${code ?? (err as Error).message}); fix its permissions or point "store" elsewhere`)
  }
  if (text.trim() === '') {
    // Earlier versions created the file empty before the first write; an empty file with a copy beside it is damage.
    if (!await exists(`${filename}.bak`)) {
      log?.info({ file: filename }, 'state store: the file is empty; starting with an empty store')
      return { data: new Map(), text: undefined }
    }
    throw damaged(filename, 'the file is empty', await backupNote(filename))
  }
  let layout: unknown
  try {
    layout = JSON.parse(text)
  } catch (err) {
    throw damaged(filename, (err as Error).message, await backupNote(filename))
  }
  const cache = (layout as Partial<FileLayout> | null)?.cache
  if (typeof layout !== 'object' || layout === null || typeof cache !== 'object' || cache === null) {
    throw damaged(filename, 'it is JSON but not a computewatch store (no "cache")', await backupNote(filename))
  }
  const pairs: Array<[string, Entry]> = Array.isArray(cache) ? cache : Object.entries(cache)
  const now = Date.now()
  const data = new Map<string, Kept>()
  for (const pair of pairs) {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'object' || pair[1] === null) {
      throw damaged(filename, 'an entry is not a [key, { value }] pair', await backupNote(filename))
    }
    const [key, entry] = pair
    if (typeof entry.expire === 'number' && entry.expire <= now) continue
    data.set(key, { value: entry.value, expire: typeof entry.expire === 'number' ? entry.expire : undefined, piece: undefined })
  }
  return { data, text }
}

function damaged (filename: string, reason: string, recovery: string): StoreError {
  return new StoreError(`store ${filename} is damaged: ${reason}. The host does not start on it and will not overwrite it. ${recovery}`)
}

async function backupNote (filename: string): Promise<string> {
  const backup = `${filename}.bak`
  const info = await stat(backup).catch(() => undefined)
  const fresh = `move ${filename} away to start fresh (providers log in again; mutes, watches, audit and accounts added through the bot are lost)`
  if (info === undefined) return `To recover, restore it from your backup, or ${fresh}.`
  return `To recover, put the last good copy back: mv ${backup} ${filename} (saved ${info.mtime.toISOString()}, at the last good start); or ${fresh}.`
}

async function exists (path: string): Promise<boolean> {
  return await stat(path).then(() => true, () => false)
}

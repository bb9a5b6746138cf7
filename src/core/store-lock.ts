import { open, readFile, unlink } from 'node:fs/promises'
import { StoreError } from './errors.js'
import type { Logger } from './logger.js'

/** The lock a host holds on its file store while it runs. */
export interface StoreLock {
  /** The lock file's path (`<store file>.lock`). */
  readonly path: string
  /** Write the lock again if it disappeared (its folder was deleted while running). */
  restore (): Promise<void>
  /** Remove the lock if it is still ours. */
  release (): Promise<void>
}

/**
 * Take `<filename>.lock`, created exclusively (`O_EXCL`) with this process's pid inside. A lock held by a
 * live process refuses; a lock whose pid is gone (or is this process's own pid, as after a restart in a
 * container where the host is always pid 1) is stale and taken over with a warning.
 *
 * Our own code rather than a library: `proper-lockfile` decides staleness by the lock's age, which
 * needs a timer refreshing it and cannot name the holder; the rule here is the pid, which the refusal
 * names. The lock is advisory and local: a file store on a network share shared by two machines is not
 * detected (use Redis there).
 * @throws StoreError naming the lock file and the pid that holds it.
 */
export async function acquireStoreLock (filename: string, log: Logger): Promise<StoreLock> {
  const path = `${filename}.lock`
  for (let attempt = 0; ; attempt++) {
    try {
      await writeLock(path)
      break
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'EEXIST' || attempt > 0) throw new StoreError(`store ${filename}: cannot take the lock ${path} (${code ?? (err as Error).message})`)
    }
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10)
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new StoreError(`store ${filename} is in use by process ${holder} (lock ${path}). One host per file store: stop that host, give this one another store, or use a redis:// store for several hosts`)
    }
    log.warn({ lock: path, pid: Number.isInteger(holder) ? holder : null }, 'state store: taking over a stale lock (its process is gone)')
    await unlink(path).catch(() => {})
  }
  return {
    path,
    restore: async () => { await writeLock(path).catch(() => {}) },
    release: async () => {
      const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10)
      if (holder === process.pid) await unlink(path).catch(() => {})
    }
  }
}

async function writeLock (path: string): Promise<void> {
  const handle = await open(path, 'wx', 0o600)
  try { await handle.writeFile(`${process.pid}\n`) } finally { await handle.close() }
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

import { access, constants } from 'node:fs/promises'
import { delimiter, join } from 'node:path'

/** The full path of `command` on `PATH`, or null: tests that need a system tool skip without it. */
export async function which (command: string): Promise<string | null> {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue
    const path = join(dir, command)
    try {
      await access(path, constants.X_OK)
      return path
    } catch {}
  }
  return null
}

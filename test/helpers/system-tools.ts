import { execFile } from 'node:child_process'
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

/**
 * Run a system tool to its end; resolve with its exit code and its stdout and stderr together (tools like
 * promtool exit non-zero on findings, which is an answer, not an error). `input` is written to its stdin
 * (a tool that exits before reading it is not an error).
 */
export async function runTool (command: string, args: string[], options: { cwd?: string; input?: string } = {}): Promise<{ code: number; output: string }> {
  return await new Promise(resolve => {
    const child = execFile(command, args, { cwd: options.cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: `${stdout}${stderr}` })
    })
    // A tool that exits without reading its stdin (systemd-analyze) closes the pipe first: the EPIPE of a
    // write nobody reads is no failure of the tool; its answer is the exit code and output above.
    child.stdin!.on('error', () => {})
    child.stdin!.end(options.input ?? '')
  })
}

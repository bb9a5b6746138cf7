import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { demoInstances } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator, type AutodlSimulator } from '../../src/demo/simulators/autodl/server.js'

/** The built CLI (`npm test` builds first). */
export const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url))

export interface Run { child: ChildProcess; stdout: string[]; stderr: string[]; exited: Promise<number | null> }

/** Run the built CLI; its output lines are collected, and it is killed when the test ends. */
export function run (t: Test, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const stdout: string[] = []
  const stderr: string[] = []
  child.stdout!.on('data', chunk => stdout.push(...String(chunk).split('\n').filter(Boolean)))
  child.stderr!.on('data', chunk => stderr.push(...String(chunk).split('\n').filter(Boolean)))
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  return { child, stdout, stderr, exited }
}

/** The first line matching `pattern`, waiting for it up to `timeoutMs`. */
export async function waitForLine (lines: string[], pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const started = Date.now()
  for (;;) {
    const line = lines.find(l => pattern.test(l))
    if (line) return line
    if (Date.now() - started > timeoutMs) throw new Error(`no line matching ${pattern} in:\n${lines.join('\n')}`)
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

/** Phone and password of the simulated AutoDL account {@link withSimulator} starts. */
export const SIM_PHONE = '13800000000'
export const SIM_PASSWORD = 'cli-test-password'

/**
 * An AutoDL simulator with the demo instances under {@link SIM_PHONE}, and `config(url)` written as
 * `config.json` in a new temp folder (the store goes beside it).
 */
export async function withSimulator (t: Test, config: (simulatorUrl: string) => object): Promise<{ simulator: AutodlSimulator; dir: string; configFile: string }> {
  const simulator = await startAutodlSimulator({ accounts: [{ phone: SIM_PHONE, password: SIM_PASSWORD, instances: demoInstances(new Date()) }] })
  t.teardown(() => simulator.close())
  const dir = await mkdtemp(join(tmpdir(), 'cw-cli-'))
  const configFile = join(dir, 'config.json')
  await writeFile(configFile, JSON.stringify(config(simulator.url)))
  return { simulator, dir, configFile }
}

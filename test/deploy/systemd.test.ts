import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { readShebang } from '../helpers/shebang.js'
import { runTool, which } from '../helpers/system-tools.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const unit = await readFile(join(ROOT, 'deploy/systemd/computewatch.service'), 'utf8')
const settings = new Map<string, string[]>()
for (const line of unit.split('\n')) {
  const m = /^([A-Za-z]+)=(.*)$/.exec(line)
  if (m) settings.set(m[1]!, [...(settings.get(m[1]!) ?? []), m[2]!])
}
const value = (key: string): string | undefined => settings.get(key)?.at(-1)

t.test('the unit runs the host hardened, with its own user, a state directory and secrets from a file', async t => {
  t.equal(value('DynamicUser'), 'yes')
  t.equal(value('StateDirectory'), 'computewatch')
  t.equal(value('ProtectSystem'), 'strict')
  t.equal(value('NoNewPrivileges'), 'yes')
  t.equal(value('ProtectHome'), 'yes')
  t.equal(value('PrivateTmp'), 'yes')
  t.equal(value('CapabilityBoundingSet'), '')
  t.equal(value('EnvironmentFile'), '/etc/computewatch/computewatch.env')
  t.equal(value('RestartPreventExitStatus'), '2', 'a bad config (exit 2) is not restarted in a loop')
  t.notOk(settings.has('MemoryDenyWriteExecute'), 'V8 needs writable executable memory')
})

t.test('the unit, npm start and npm run demo run node as the CLI\'s shebang does: its environment and V8 flags', async t => {
  // Measured in the README's Performance section: MALLOC_ARENA_MAX=2 and --max-semi-space-size=4.
  const shebang = await readShebang(join(ROOT, 'src/cli.ts'))
  const environment = shebang.environment
  const flags = shebang.flags.join(' ')
  t.same(environment, ['MALLOC_ARENA_MAX=2'], 'the shebang sets the environment before node')
  t.equal(flags, '--max-semi-space-size=4')
  t.equal(value('ExecStart'), `/usr/bin/node ${flags} /opt/computewatch/dist/src/cli.js --config /etc/computewatch/config.json`)
  for (const assignment of environment) t.ok(settings.get('Environment')?.includes(assignment), `the unit sets ${assignment}`)
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  t.equal(pkg.scripts['start'], `${environment.join(' ')} node ${flags} dist/src/cli.js`)
  t.equal(pkg.scripts['demo'], `${environment.join(' ')} node ${flags} dist/src/cli.js demo`)
})

/** The unit with its paths pointed at this checkout and this Node, as it would be installed. */
async function installedCopy (t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cw-systemd-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'computewatch.service')
  await writeFile(path, unit.replace('/usr/bin/node', process.execPath).replace('/opt/computewatch', ROOT.replace(/\/$/, '')))
  return path
}

const systemdAnalyze = async (args: string[]): Promise<{ code: number; output: string }> => await runTool('systemd-analyze', args)

t.test('systemd-analyze verify finds nothing, and the exposure level is OK', async t => {
  if (!(await which('systemd-analyze'))) return t.plan(0, 'systemd-analyze not available')
  const path = await installedCopy(t)
  const verify = await systemdAnalyze(['verify', '--man=no', path])
  t.equal(verify.output.trim(), '', 'no findings')
  t.equal(verify.code, 0)
  const security = await systemdAnalyze(['security', '--offline=true', '--no-pager', path])
  const level = /Overall exposure level for computewatch\.service: ([\d.]+) (\w+)/.exec(security.output)
  t.ok(level, 'the exposure level is printed')
  t.ok(Number(level![1]) <= 2, `exposure ${level![1]} ${level![2]} (systemd's scale: 0 safest, 10 unsafe)`)
})

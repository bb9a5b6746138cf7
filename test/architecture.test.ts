import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CONFIG = join(ROOT, '.dependency-cruiser.cjs')
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs')

interface Violation { rule: { name: string }; from: string; to: string }

/** Run dependency-cruiser with the project's rules in `cwd`; the violations it reports. */
async function violations (cwd: string, paths: string[]): Promise<Violation[]> {
  const { stdout } = await promisify(execFile)(process.execPath, [DEPCRUISE, '--config', CONFIG, '--output-type', 'json', ...paths], { cwd, maxBuffer: 64 * 1024 * 1024 })
    .catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' })) // it exits non-zero when it finds violations
  const result = JSON.parse(stdout) as { summary: { violations: Violation[]; totalCruised: number } }
  return result.summary.violations
}

t.test('the import graph follows the layers in the README (dependency-cruiser, .dependency-cruiser.cjs)', async t => {
  const found = await violations(ROOT, ['src', 'providers', 'test'])
  t.same(found.map(v => `${v.rule.name}: ${v.from} → ${v.to}`), [], 'no wrong arrow')
})

t.test('each rule fails on a wrong arrow', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'cw-arch-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const files: Record<string, string> = {
    'tsconfig.test.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowJs: true }, include: ['src', 'providers', 'test'] }),
    'src/index.ts': 'export const api = 1\n',
    'src/core/low.ts': "import { bot } from '../bot/high.js'\nexport const low = bot\n",
    'src/bot/high.ts': 'export const bot = 1\n',
    'src/api/route.ts': "import { bot } from '../bot/high.js'\nexport const route = bot\n",
    'src/alerts/rule.ts': "import { helper } from '../../test/helper.js'\nimport { x } from '../../providers/p/index.js'\nexport const rule = helper + x\n",
    'src/notify/a.ts': "import { b } from './b.js'\nexport const a = 1 + b\n",
    'src/notify/b.ts': "import { a } from './a.js'\nexport const b = a\n",
    'providers/p/index.ts': "import { low } from '../../src/core/low.js'\nimport { api } from '../../src/index.js'\nexport const x = low + api\n",
    'test/helper.ts': 'export const helper = 1\n'
  }
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), text)
  }
  const found = (await violations(dir, ['src', 'providers', 'test'])).map(v => `${v.rule.name}: ${v.from} → ${v.to}`).sort()
  t.same(found, [
    'core-imports-no-layer-above: src/core/low.ts → src/bot/high.ts',
    'no-circular: src/notify/a.ts → src/notify/b.ts',
    'no-shipped-code-imports-tests: src/alerts/rule.ts → test/helper.ts',
    'no-sibling-imports: src/api/route.ts → src/bot/high.ts',
    'only-the-composition-root-knows-providers: src/alerts/rule.ts → providers/p/index.ts',
    'providers-use-only-the-public-api: providers/p/index.ts → src/core/low.ts'
  ], 'one violation per wrong arrow, and none for providers → src/index.ts')
})

t.test('every provider folder has the same files: index, provider, schema, map (and client where there is one)', async t => {
  const { readdir } = await import('node:fs/promises')
  const folders = (await readdir(join(ROOT, 'providers'), { withFileTypes: true })).filter(d => d.isDirectory()).map(d => d.name)
  t.ok(folders.length >= 6)
  for (const folder of folders) {
    const files = (await readdir(join(ROOT, 'providers', folder))).sort()
    const required = ['index.ts', 'map.ts', 'provider.ts', 'schema.ts']
    t.same(files.filter(f => f !== 'client.ts'), required, `providers/${folder}: ${files.join(', ')}`)
  }
})

t.test('the package ships no test code (npm pack)', async t => {
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 })
  const files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map(f => f.path)
  t.ok(files.includes('dist/src/cli.js'), 'the built CLI is in it')
  t.ok(files.includes('dist/providers/autodl/index.js'), 'the built providers are in it')
  t.same(files.filter(f => /(^|\/)test\//.test(f) || /\.test\./.test(f)), [], 'no test file')
})

t.test('the composition root is named wiring steps of at most 60 lines each (src/app.ts)', async t => {
  const { readFile } = await import('node:fs/promises')
  const lines = (await readFile(join(ROOT, 'src', 'app.ts'), 'utf8')).split('\n')
  const steps: Array<{ name: string; length: number }> = []
  lines.forEach((line, index) => {
    const name = /^(?:export )?(?:async )?function (\w+)/.exec(line)?.[1]
    if (name) steps.push({ name, length: lines.slice(index).findIndex(l => l === '}') + 1 })
  })
  t.ok(steps.length >= 5, `steps: ${steps.map(s => s.name).join(', ')}`)
  for (const step of steps) t.ok(step.length > 0 && step.length <= 60, `${step.name}: ${step.length} lines`)
})

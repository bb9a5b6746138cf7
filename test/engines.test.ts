import { readFile } from 'node:fs/promises'
import semver from 'semver'
import t from 'tap'

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { engines: { node: string } }
const lock = JSON.parse(await readFile(new URL('../package-lock.json', import.meta.url), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[]; dev?: boolean }> }

// The oldest release of each supported line: Node 20 (end of life 2026-04-30, still supported from 20.19), 22 and 24.
const OLDEST = ['20.19.0', '22.13.0', '24.0.0']

t.test('engines names Node 20.19+, 22 and 24, and nothing older', async t => {
  for (const version of OLDEST) t.ok(semver.satisfies(version, pkg.engines.node), `${version} is supported`)
  for (const version of ['18.20.0', '20.18.0', '21.7.0', '23.0.0']) t.notOk(semver.satisfies(version, pkg.engines.node), `${version} is not`)
})

t.test('no installed package asks for a newer Node than the ones supported (npm would warn EBADENGINE)', async t => {
  const checked = Object.entries(lock.packages).filter(([path, info]) => path !== '' && !Array.isArray(info.engines) && typeof info.engines?.node === 'string')
  t.ok(checked.length > 50, `${checked.length} packages declare engines`)
  for (const version of OLDEST) {
    const unhappy = checked.filter(([, info]) => !semver.satisfies(version, (info.engines as { node: string }).node)).map(([path, info]) => `${path} (${(info.engines as { node: string }).node})`)
    t.same(unhappy, [], `every package runs on Node ${version}`)
  }
})

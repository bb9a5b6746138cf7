import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { builtinProviders } from '../../providers/index.js'
import { buildHost } from '../../src/app.js'
import { loadConfigFile } from '../../src/config/load.js'
import { checkDefinition } from '../../src/config/plugins.js'
import { createRegistry } from '../../src/core/registry.js'
import { memoryStateStore } from '../../src/core/store.js'
import { captureLog } from '../helpers/log.js'
import { pump, replies, startTelegramEmulator } from '../helpers/telegram.js'
import { demoInstances } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'
import { inventorySampleMachines, startInventorySimulator } from '../helpers/inventory-simulator.js'
import { ALERT_RULES } from '../../src/alerts/rules/index.js'

const registry = createRegistry(builtinProviders)
const PLUGINS = fileURLToPath(new URL('../fixtures/plugins/', import.meta.url))
const TOKEN = 'inventory-token-123'

/** A config file in a temp folder whose entries name the fixture modules by paths relative to it. */
async function configWith (t: Test, entries: object[], extra: object = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cw-plugin-'))
  const file = join(dir, 'config.json')
  await writeFile(file, JSON.stringify({ providers: entries, ...extra }))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return file
}
const rel = (file: string, configFile: string): string => `./${relative(join(configFile, '..'), join(PLUGINS, file))}`

t.test('a module named by a relative path is loaded and validated like a built-in', async t => {
  const configFile = await configWith(t, [])
  const specifier = rel('json-inventory/index.js', configFile)
  t.match(specifier, /^\.\/\.\.\//, 'relative to the config file')
  await writeFile(configFile, JSON.stringify({ providers: [{ id: 'inv', type: specifier, url: 'http://127.0.0.1:9/machines', token: TOKEN }] }))
  const config = await loadConfigFile(configFile, { registry, alertRules: ALERT_RULES, env: {} })
  t.same(config.providers, [{ id: 'inv', type: 'json-inventory', module: specifier, proxy: null, pollIntervalSeconds: 60, options: { url: 'http://127.0.0.1:9/machines', token: TOKEN }, failure: undefined }])
  t.same(config.pluginDefinitions.map(d => d.type), ['json-inventory'])
})

t.test('every kind of plugin failure names the entry, the specifier and what was wrong; other entries still load', async t => {
  const configFile = await configWith(t, [])
  const entries = [
    { id: 'ok', type: rel('json-inventory/index.js', configFile), url: 'http://127.0.0.1:9/m', token: TOKEN },
    { id: 'missing', type: './nowhere/provider.js' },
    { id: 'nodefault', type: rel('broken/no-default.js', configFile) },
    { id: 'old', type: rel('broken/old-api.js', configFile) },
    { id: 'clash', type: rel('broken/builtin-type.js', configFile) },
    { id: 'boom', type: rel('broken/throws.js', configFile) },
    { id: 'badopts', type: rel('json-inventory/index.js', configFile), url: 'not a url', token: 'short' },
    { id: 'pkg', type: 'computewatch-provider-nonexistent' },
    { id: 'lab', type: 'autodl', phone: '13800000000', password: 'x' },
    { id: 'dep', type: rel('broken/missing-dependency.js', configFile) }
  ]
  await writeFile(configFile, JSON.stringify({ providers: entries }))
  const config = await loadConfigFile(configFile, { registry, alertRules: ALERT_RULES, env: {} })
  const byId = Object.fromEntries(config.providers.map(p => [p.id, p.failure]))
  t.equal(byId['ok'], undefined)
  t.equal(byId['lab'], undefined, 'built-in entries are unaffected')
  t.equal(byId['missing'], `providers[1] ("missing"): provider module "./nowhere/provider.js": no module at ${join(configFile, '..', 'nowhere/provider.js')} (paths are relative to the config file)`)
  t.match(byId['nodefault'], /^providers\[2\] \("nodefault"\): provider module ".*no-default\.js": its default export is not a provider definition/)
  t.match(byId['old'], /: it was written for host API version 2; this host supports 1$/)
  t.match(byId['clash'], /: it declares type "autodl", which is a built-in type; a plugin needs a type of its own$/)
  t.match(byId['boom'], /: importing it failed: plugin exploded at import$/)
  t.match(byId['badopts'], /^providers\[6\] \("badopts"\): provider module ".*json-inventory\/index\.js" \(json-inventory\): url: must be a valid uri; token: must NOT have fewer than 8 characters$/)
  t.match(byId['dep'], /: importing it failed: Cannot find package 'computewatch-test-absent-dependency'/, 'a missing dependency of the plugin is not "plugin missing"')
  t.equal(byId['pkg'], 'providers[7] ("pkg"): provider module "computewatch-provider-nonexistent": package "computewatch-provider-nonexistent" is not installed (npm install computewatch-provider-nonexistent), and it is not a built-in type')
})

t.test('checkDefinition() spells out what a definition lacks', async t => {
  t.match(checkDefinition(null), 'default export is not a provider definition')
  t.match(checkDefinition({ type: 'Bad Type', hostApiVersion: 1 }), 'needs a "type"')
  t.match(checkDefinition({ type: 'x' }), 'declares no "hostApiVersion"; this host supports 1')
  t.match(checkDefinition({ type: 'x', hostApiVersion: 1, configSchema: {} }), 'has no create(options, deps) function')
  t.match(checkDefinition({ type: 'x', hostApiVersion: 1, create () {} }), 'has no "configSchema" object')
  t.match(checkDefinition({ type: 'x', hostApiVersion: 1, create () {}, configSchema: { type: 'nonsense' } }), 'configSchema is not a valid JSON schema')
  t.equal(checkDefinition({ type: 'x', hostApiVersion: 1, create () {}, configSchema: { type: 'object' } }), null)
})

t.test('a provider loaded by config from a path works end to end through the API and the bot; a broken one only fails itself', async t => {
  const inventory = await startInventorySimulator({ token: TOKEN, machines: inventorySampleMachines() })
  t.teardown(() => inventory.close())
  const autodl = await startAutodlSimulator({ accounts: [{ phone: '13800000000', password: 'pw', instances: demoInstances(new Date()) }] })
  t.teardown(() => autodl.close())
  const telegram = await startTelegramEmulator(t)
  const configFile = await configWith(t, [])
  await writeFile(configFile, JSON.stringify({
    telegram: { token: '123456:PLUGIN-test', apiRoot: telegram.config.apiURL, allowedUserIds: [111], language: 'en' },
    providers: [
      { id: 'inv', type: rel('json-inventory/index.js', configFile), url: inventory.url, token: '${INVENTORY_TOKEN}' },
      { id: 'old', type: rel('broken/old-api.js', configFile) },
      { id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: autodl.url }
    ]
  }))
  const config = await loadConfigFile(configFile, { registry, alertRules: ALERT_RULES, env: { INVENTORY_TOKEN: TOKEN } })
  const captured = captureLog()
  const host = await buildHost(config, {
    registry: createRegistry([...builtinProviders, ...config.pluginDefinitions]), log: captured.log, secrets: captured.secrets, store: memoryStateStore(), version: 't'
  })
  t.teardown(() => host.stop())
  await host.aggregator.refresh()

  const body = (await host.api.inject('/api/v1/instances?type=json-inventory')).json()
  t.same(body.instances.map((i: { id: string; state: string; providerState: string }) => [i.id, i.state, i.providerState]),
    [['rack1-n1', 'running', 'up'], ['rack1-n2', 'stopped', 'down'], ['rack2-n1', 'unknown', 'maintenance']])
  t.match(body.instances[0], { provider: 'inv', providerType: 'json-inventory', region: 'lab-west', gpu: { model: 'A100-80GB', hostTotal: 8, hostIdle: 3 } })
  const providers = (await host.api.inject('/api/v1/providers')).json() as Array<{ id: string; ok: boolean; type: string; error: { message: string } | null }>
  t.same(providers.map(p => [p.id, p.type, p.ok]), [['inv', 'json-inventory', true], ['old', rel('broken/old-api.js', configFile), false], ['lab', 'autodl', true]])
  t.match(providers[1]?.error?.message, 'it was written for host API version 2')
  t.ok(captured.lines.some(l => l.includes('it was written for host API version 2')), 'the failure is logged at start')

  const client = telegram.getClient('123456:PLUGIN-test', { userId: 111, chatId: 111 })
  await client.sendCommand(client.makeCommand('/gpuvalid'))
  await pump(host.bot!.bot)
  const text = replies(telegram, 111).join('\n')
  t.match(text, '[inv]\n🟢 lab-west / a100-node-1 · A100-80GB · GPUs idle 3/8 · running')
  t.match(text, 'lab-east / cpu-node · unknown (maintenance)')
  t.match(text, '[lab]')
  t.notOk(text.includes('bmc-Secret') || JSON.stringify(body).includes('bmc-Secret'), 'nothing outside the mapping passes')
})

t.test('the README shows the same example provider as test/fixtures', async t => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
  const plugin = await readFile(new URL('../fixtures/plugins/json-inventory/index.js', import.meta.url), 'utf8')
  t.ok(readme.includes(plugin.trim()), 'README "Writing a provider" contains test/fixtures/plugins/json-inventory/index.js verbatim')
})

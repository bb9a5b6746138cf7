import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import t from 'tap'
import { run, SIM_PASSWORD, SIM_PHONE, waitForLine, withSimulator } from './helpers/cli.js'
import { until } from './helpers/until.js'

const RECORDER = fileURLToPath(new URL('./fixtures/record-modules.mjs', import.meta.url))

/** Packages only some hosts need, each loaded when first used (README, Performance): none of them at start. */
const LOADED_WHEN_USED = ['telegraf', 'badge-maker', 'nodemailer', 'rate-limiter-flexible', '@keyv/redis']

t.test('a host without Telegram, e-mail, Redis or badges does not load their packages', async t => {
  const { dir, configFile } = await withSimulator(t, url => ({
    store: 'file:./state/cw.json',
    api: { host: '127.0.0.1', port: 0 },
    providers: [{ id: 'lab', type: 'autodl', phone: SIM_PHONE, password: SIM_PASSWORD, baseUrl: url }]
  }))
  const record = join(dir, 'modules.txt')
  const host = run(t, ['--config', configFile], { NODE_OPTIONS: `--import=${pathToFileURL(RECORDER).href}`, RECORD_MODULES_TO: record })
  const url = JSON.parse(await waitForLine(host.stdout, /status API listening/)).url as string
  // Past start-up: a poll, the API, the metrics and the status page have run.
  await until(async () => {
    const body = await (await fetch(`${url}/api/v1/instances`)).json() as { providers: Array<{ ok: boolean }> }
    return body.providers[0]?.ok === true
  }, 'the first poll succeeded', 15_000)
  t.equal((await fetch(`${url}/metrics`)).status, 200)
  t.equal((await fetch(`${url}/`)).status, 200)
  host.child.kill('SIGTERM')
  t.equal(await host.exited, 0)

  const files = (await readFile(record, 'utf8')).split('\n')
  const packages = new Set(files.map(f => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]).filter(Boolean))
  // The recorder sees both kinds of module: fastify is CommonJS, the host's own files are ES modules.
  t.ok(packages.has('fastify') && packages.has('axios'), 'the packages the host runs on are recorded')
  t.ok(files.some(f => f.endsWith(join('src', 'app.js'))), 'and the host\'s own modules')
  for (const name of LOADED_WHEN_USED) t.notOk(packages.has(name), `${name} is not loaded`)
})

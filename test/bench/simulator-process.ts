/**
 * Child process of `npm run bench`: an AutoDL simulator with `accounts` accounts of `perAccount`
 * instances each, answering every call after `latencyMs` with pages capped at `pageSizeCap`.
 * Prints one JSON line `{ "url": … }` when it listens; exits on SIGTERM.
 */
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'
import { manyInstances } from '../../src/demo/simulators/autodl/fixtures.js'
import { BENCH_PASSWORD, benchPhone, type SimulatorSpec } from './accounts.js'

const spec = JSON.parse(process.argv[2] ?? '') as SimulatorSpec
const simulator = await startAutodlSimulator({
  accounts: Array.from({ length: spec.accounts }, (_, a) => ({
    phone: benchPhone(a),
    password: BENCH_PASSWORD,
    // 50 hosts per account: most instances' hosts have a GPU idle, like a busy real account.
    instances: manyInstances(spec.perAccount, 50).map(i => ({ ...i, uuid: `a${a}-${i.uuid}` }))
  })),
  latencyMs: spec.latencyMs,
  pageSizeCap: spec.pageSizeCap,
  tokenTtlMs: 24 * 3600_000
})
process.stdout.write(`${JSON.stringify({ url: simulator.url })}\n`)
process.on('SIGTERM', () => { void simulator.close().then(() => process.exit(0)) })

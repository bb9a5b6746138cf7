import type { Test } from 'tap'
import { AutodlProvider, normalizeAutodlOptions } from '../../providers/autodl/index.js'
import { ActionService } from '../../src/actions/service.js'
import { AuditLog } from '../../src/audit/log.js'
import { Aggregator } from '../../src/core/aggregator.js'
import { memoryStateStore, type StateStore } from '../../src/core/store.js'
import { makeDeps } from './provider.js'
import { captureLog } from './log.js'
import type { SimInstance } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'

/** An AutoDL simulator, an aggregator with entry `lab` on it, an audit log and an action service, all fast. */
export async function autodlWorld (t: Test, instances: SimInstance[], options: { transitionMs?: number; timeoutMs?: number; store?: StateStore; now?: () => Date } = {}) {
  const simulator = await startAutodlSimulator({ accounts: [{ phone: '13800000000', password: 'pw', instances }], transitionMs: options.transitionMs ?? 60 })
  t.teardown(() => simulator.close())
  const captured = captureLog()
  const store = options.store ?? memoryStateStore()
  const aggregator = new Aggregator({ pollIntervalMs: 3600_000, pollTimeoutMs: 5000, log: captured.log, secrets: captured.secrets, now: options.now })
  const deps = makeDeps('lab', { captured, store })
  await aggregator.add({ id: 'lab', type: 'autodl', log: deps.log, provider: new AutodlProvider(normalizeAutodlOptions({ phone: '13800000000', password: 'pw', baseUrl: simulator.url }), deps) })
  await aggregator.refresh()
  const audit = new AuditLog(store.namespace('audit'), { now: options.now })
  const actions = new ActionService({
    aggregator, audit, store: store.namespace('actions'), log: captured.log, timeoutMs: options.timeoutMs ?? 5000, followIntervalMs: 20, now: options.now
  })
  t.teardown(async () => { await actions.close(); await aggregator.stop() })
  return { simulator, aggregator, audit, actions, captured, store }
}

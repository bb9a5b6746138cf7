import { demoInstances } from '../test/simulators/autodl/fixtures.js'
import { startAutodlSimulator, type AutodlSimulator } from '../test/simulators/autodl/server.js'
import { runFromObject, type RunningHost } from './run.js'

/** Demo account of the simulator. Not a real AutoDL login. */
export const DEMO_PHONE = '13800000000'
export const DEMO_PASSWORD = 'demo-password'

export interface DemoOptions {
  /** Status API port (default 8080; 0 picks a free one). */
  port?: number
  /** Seconds between polls (default 10, so changes show quickly). */
  pollIntervalSeconds?: number
}

export interface RunningDemo extends RunningHost {
  simulator: AutodlSimulator
  stop (): Promise<void>
}

/**
 * Start the AutoDL simulator with sample instances (seed 000's example among them) and the host
 * against it, with an in-memory store and no Telegram — so a new user sees it work with no account.
 */
export async function runDemo (options: DemoOptions = {}): Promise<RunningDemo> {
  const simulator = await startAutodlSimulator({
    accounts: [{ phone: DEMO_PHONE, password: DEMO_PASSWORD, instances: demoInstances(new Date()) }],
    transitionMs: 15_000
  })
  try {
    const running = await runFromObject({
      pollIntervalSeconds: options.pollIntervalSeconds ?? 10,
      api: { host: '127.0.0.1', port: options.port ?? 8080 },
      providers: [{ id: 'demo', type: 'autodl', phone: DEMO_PHONE, password: DEMO_PASSWORD, baseUrl: simulator.url }]
    }, { memoryStore: true, logLevel: process.env['LOG_LEVEL'] || 'warn' })
    await running.host.aggregator.refresh()
    return {
      ...running,
      simulator,
      stop: async () => {
        await running.host.stop()
        await simulator.close()
      }
    }
  } catch (err) {
    await simulator.close()
    throw err
  }
}

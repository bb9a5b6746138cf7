import type { AutodlSimulator } from './simulators/autodl/server.js'
import type { SimServer } from './simulators/nezha/server.js'

export interface DemoWorldOptions {
  autodl: Pick<AutodlSimulator, 'setHostIdle' | 'instance'>
  /** The AutoDL demo instances' host machines, whose idle GPUs change now and then. */
  autodlHosts: ReadonlyArray<{ machineId: string; total: number }>
  /** The Nezha simulator's servers (mutated in place: their agents report). */
  nezhaServers: SimServer[]
  /** Name of the Nezha server whose agent goes away and comes back. */
  flakyServer: string
  /** Time between two ticks, milliseconds (default 5000). */
  tickMs?: number
  /** The flaky agent reports for this long, then is silent for as long, milliseconds (default 150 000). */
  flakyPeriodMs?: number
  /** Every this many ticks one host's idle GPUs change (default 6: every 30 s). */
  gpuEveryTicks?: number
}

/**
 * Keeps the demo's world alive while it runs, so that what a real user would watch happens here too:
 * Nezha agents keep reporting (one goes silent for a while and comes back, so it turns `offline` and
 * `running` again), and the idle GPUs of the AutoDL hosts change now and then, so that a GPU watch can
 * fire. Returns a function that stops it.
 */
export function animateDemo (options: DemoWorldOptions): () => void {
  const tickMs = options.tickMs ?? 5000
  const flakyPeriodMs = options.flakyPeriodMs ?? 150_000
  const gpuEveryTicks = options.gpuEveryTicks ?? 6
  const started = Date.now()
  let tick = 0
  const timer = setInterval(() => {
    tick++
    const now = new Date()
    const flakyUp = Math.floor((now.getTime() - started) / flakyPeriodMs) % 2 === 0
    for (const server of options.nezhaServers) {
      if (server.lastActive === null) continue // an agent that never reported stays so
      if (server.name !== options.flakyServer || flakyUp) server.lastActive = now
    }
    if (tick % gpuEveryTicks === 0 && options.autodlHosts.length > 0) {
      const host = options.autodlHosts[(tick / gpuEveryTicks) % options.autodlHosts.length]!
      options.autodl.setHostIdle(host.machineId, Math.floor(Math.random() * (host.total + 1)))
    }
  }, tickMs)
  timer.unref()
  return () => clearInterval(timer)
}

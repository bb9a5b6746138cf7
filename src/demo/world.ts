import type { AutodlSimulator } from './simulators/autodl/server.js'
import type { SimServer } from './simulators/nezha/server.js'

export interface DemoWorldOptions {
  autodl: Pick<AutodlSimulator, 'setHostIdle'>
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
 * One step of the demo's world at `now`: Nezha agents report (the flaky one only in the first half of
 * each `flakyPeriodMs × 2` cycle since `startedAt`), and every `gpuEveryTicks`-th step one AutoDL host
 * (in turn) gets a new number of idle GPUs between 0 and its total.
 */
export function demoWorld (options: DemoWorldOptions, startedAt: number, random: () => number = Math.random): (now: Date) => void {
  const flakyPeriodMs = options.flakyPeriodMs ?? 150_000
  const gpuEveryTicks = options.gpuEveryTicks ?? 6
  let tick = 0
  return (now) => {
    tick++
    const flakyUp = Math.floor((now.getTime() - startedAt) / flakyPeriodMs) % 2 === 0
    for (const server of options.nezhaServers) {
      if (server.lastActive === null) continue // an agent that never reported stays so
      if (server.name !== options.flakyServer || flakyUp) server.lastActive = now
    }
    if (tick % gpuEveryTicks === 0 && options.autodlHosts.length > 0) {
      const host = options.autodlHosts[(tick / gpuEveryTicks) % options.autodlHosts.length]!
      options.autodl.setHostIdle(host.machineId, Math.floor(random() * (host.total + 1)))
    }
  }
}

/**
 * Keeps the demo's world alive while it runs, so that what a real user would watch happens here too:
 * Nezha agents keep reporting (one goes silent for a while and comes back, so it turns `offline` and
 * `running` again), and the idle GPUs of the AutoDL hosts change now and then, so that a GPU watch can
 * fire. A {@link demoWorld} step every `tickMs`; returns a function that stops it.
 */
export function animateDemo (options: DemoWorldOptions): () => void {
  const step = demoWorld(options, Date.now())
  const timer = setInterval(() => step(new Date()), options.tickMs ?? 5000)
  timer.unref()
  return () => clearInterval(timer)
}

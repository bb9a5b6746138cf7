import { randomBytes } from 'node:crypto'
import { SEED_INSTANCE, demoInstances, nullTime, autodlTime } from './simulators/autodl/fixtures.js'
import { startAutodlSimulator, type AutodlSimulator } from './simulators/autodl/server.js'
import { boardmateSampleUser, startBoardmateSimulator } from './simulators/boardmate/server.js'
import { computeshareSampleVms, startComputeshareSimulator } from './simulators/computeshare/server.js'
import { nezhaSampleServers, startNezhaSimulator } from './simulators/nezha/server.js'
import { onecloudSampleDevices, startOnecloudSimulator } from './simulators/onecloud/server.js'
import { pterodactylSampleServers, startPterodactylSimulator } from './simulators/pterodactyl/server.js'
import { runFromObject, type RunningHost } from '../run.js'
import { animateDemo } from './world.js'

/** Demo logins of the simulators. None is a real account. */
export const DEMO_PHONE = '13800000000'
export const DEMO_PASSWORD = 'demo-password'
const PTERO_KEY = 'ptlc_demoDemoDemoDemoDemo0123456789'
const BOARDMATE_KEY = 'demoBoardMateKey0123456789abcdefghijklmnopqrstuvwx'
const DISCORD_USER = '123456789012345678'

export interface DemoOptions {
  /** Status API port (default 8080; 0 picks a free one). */
  port?: number
  /** Seconds between polls (default 10, so changes show quickly). */
  pollIntervalSeconds?: number
  /** The API key with read and control scopes (default: a random one, printed by `computewatch demo`). */
  controlKey?: string
  /** An API key with the read scope only, named `viewer` (default: none). */
  readKey?: string
  /** How long a simulated power-on or power-off takes, milliseconds (default 15 000). */
  transitionMs?: number
}

export interface RunningDemo extends RunningHost {
  /** Each simulator's name and URL. */
  simulators: Array<{ name: string; url: string }>
  /** The demo's API key (scopes read and control): the page asks for it; send it as `Authorization: Bearer`. */
  controlKey: string
  /** The AutoDL simulator, to change its world from tests. */
  autodl: AutodlSimulator
  stop (): Promise<void>
}

/**
 * Start every provider's simulator with sample data (seed 000's AutoDL instance among them) and the host
 * against all of them, with an in-memory store and no Telegram — so a new user sees every provider
 * side by side with no account.
 */
export async function runDemo (options: DemoOptions = {}): Promise<RunningDemo> {
  const started: Array<{ name: string; url: string; close: () => Promise<void> }> = []
  let stopWorld = (): void => {}
  const stopAll = async (): Promise<void> => {
    stopWorld()
    await Promise.all(started.map(s => s.close()))
  }
  const controlKey = options.controlKey ?? `demo-${randomBytes(18).toString('base64url')}`
  const now = new Date()
  try {
    // The seed's instance, stopped 14 days 6 hours ago: its release is 18 hours away, so the ladder is live.
    const stopped = new Date(now.getTime() - (14 * 24 + 6) * 3600_000)
    const instances = demoInstances(now).map(i => i.uuid === SEED_INSTANCE.uuid ? { ...i, stopped_at: nullTime(stopped), status_at: autodlTime(stopped) } : i)
    const autodl = await startAutodlSimulator({ accounts: [{ phone: DEMO_PHONE, password: DEMO_PASSWORD, instances }], transitionMs: options.transitionMs ?? 15_000 })
    started.push({ name: 'AutoDL', ...autodl })
    const servers = nezhaSampleServers(now)
    const nezha = await startNezhaSimulator({ version: 'v1', servers, users: [{ username: 'admin', password: DEMO_PASSWORD }] })
    started.push({ name: 'Nezha v1', ...nezha })
    const computeshare = await startComputeshareSimulator({ users: [{ username: DEMO_PHONE, password: DEMO_PASSWORD }], vms: computeshareSampleVms(), transitionMs: 15_000 })
    started.push({ name: 'computeshare', ...computeshare })
    const pterodactyl = await startPterodactylSimulator({ keys: [PTERO_KEY], servers: pterodactylSampleServers(), transitionMs: 15_000 })
    started.push({ name: 'Pterodactyl', ...pterodactyl })
    const boardmate = await startBoardmateSimulator({ apiKey: BOARDMATE_KEY, users: { [DISCORD_USER]: boardmateSampleUser() } })
    started.push({ name: 'BoardMate', ...boardmate })
    const onecloud = await startOnecloudSimulator({ accounts: [{ user: DEMO_PHONE, password: DEMO_PASSWORD, userid: '5458114', devices: onecloudSampleDevices(now) }] })
    started.push({ name: 'OneCloud', ...onecloud })

    const hosts = new Map(instances.map(i => [i.machine_id, { machineId: i.machine_id, total: i.gpu_all_num }]))
    stopWorld = animateDemo({ autodl, autodlHosts: [...hosts.values()], nezhaServers: servers, flakyServer: 'db-sg' })

    const running = await runFromObject({
      pollIntervalSeconds: options.pollIntervalSeconds ?? 10,
      api: { host: '127.0.0.1', port: options.port ?? 8080, apiKeys: [{ name: 'demo', key: controlKey, scopes: ['read', 'control'] }, ...(options.readKey ? [{ name: 'viewer', key: options.readKey, scopes: ['read'] }] : [])] },
      providers: [
        { id: 'demo', type: 'autodl', phone: DEMO_PHONE, password: DEMO_PASSWORD, baseUrl: autodl.url },
        { id: 'servers', type: 'nezha', baseUrl: nezha.url, username: 'admin', password: DEMO_PASSWORD },
        { id: 'vms', type: 'computeshare', username: DEMO_PHONE, password: DEMO_PASSWORD, baseUrl: computeshare.url },
        { id: 'games', type: 'pterodactyl', baseUrl: pterodactyl.url, apiKey: PTERO_KEY },
        { id: 'shop', type: 'boardmate', baseUrl: boardmate.url, apiKey: BOARDMATE_KEY, discordUserId: DISCORD_USER },
        { id: 'onecloud', type: 'onecloud', user: DEMO_PHONE, password: DEMO_PASSWORD, accountBaseUrl: onecloud.url, controlBaseUrl: onecloud.url }
      ]
    }, { memoryStore: true, logLevel: process.env['LOG_LEVEL'] || 'warn' })
    await running.host.aggregator.refresh()
    return {
      ...running,
      simulators: started.map(({ name, url }) => ({ name, url })),
      controlKey,
      autodl,
      stop: async () => {
        await running.host.stop()
        await stopAll()
      }
    }
  } catch (err) {
    await stopAll()
    throw err
  }
}

import t from 'tap'
import { builtinProviders } from '../../providers/index.js'
import { buildHost } from '../../src/app.js'
import { parseConfig } from '../../src/config/load.js'
import { createRegistry } from '../../src/core/registry.js'
import { memoryStateStore } from '../../src/core/store.js'
import { captureLog } from '../helpers/log.js'
import { pump, replies, startTelegramEmulator } from '../helpers/telegram.js'
import { demoInstances } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'
import { boardmateSampleUser, startBoardmateSimulator } from '../../src/demo/simulators/boardmate/server.js'
import { computeshareSampleVms, startComputeshareSimulator } from '../../src/demo/simulators/computeshare/server.js'
import { nezhaSampleServers, startNezhaSimulator } from '../../src/demo/simulators/nezha/server.js'
import { pterodactylSampleServers, startPterodactylSimulator } from '../../src/demo/simulators/pterodactyl/server.js'
import { ALERT_RULES } from '../../src/alerts/rules/index.js'

const TOKEN = '123456789:ALL-providers'
const KEY = 'ptlc_allProvidersAllProviders0123'
const BM_KEY = 'BoardMateAllProvidersKey0123456789'

t.test('/gpuvalid and /status show every provider sensibly (no GPU columns for servers without counts)', async t => {
  const autodl = await startAutodlSimulator({ accounts: [{ phone: '13800000000', password: 'pw', instances: demoInstances(new Date()) }] })
  const nezha = await startNezhaSimulator({ version: 'v0', servers: nezhaSampleServers(), tokens: ['nezha-token-all-0001'] })
  const cs = await startComputeshareSimulator({ users: [{ username: 'u', password: 'p-all-pw' }], vms: computeshareSampleVms() })
  const ptero = await startPterodactylSimulator({ keys: [KEY], servers: pterodactylSampleServers() })
  const bm = await startBoardmateSimulator({ apiKey: BM_KEY, users: { '123456789012345678': boardmateSampleUser() } })
  for (const sim of [autodl, nezha, cs, ptero, bm]) t.teardown(() => sim.close())
  const telegram = await startTelegramEmulator(t)
  const registry = createRegistry(builtinProviders)
  const config = parseConfig({
    telegram: { token: TOKEN, apiRoot: telegram.config.apiURL, allowedUserIds: [7], language: 'en' },
    providers: [
      { id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: autodl.url },
      { id: 'servers', type: 'nezha', baseUrl: nezha.url, token: 'nezha-token-all-0001' },
      { id: 'vms', type: 'computeshare', username: 'u', password: 'p-all-pw', baseUrl: cs.url },
      { id: 'games', type: 'pterodactyl', baseUrl: ptero.url, apiKey: KEY },
      { id: 'shop', type: 'boardmate', baseUrl: bm.url, apiKey: BM_KEY, discordUserId: '123456789012345678' }
    ]
  }, { registry, alertRules: ALERT_RULES, env: {} })
  const captured = captureLog()
  const host = await buildHost(config, { registry, log: captured.log, secrets: captured.secrets, store: memoryStateStore(), version: 't' })
  t.teardown(() => host.stop())
  await host.aggregator.refresh()
  const ask = async (command: string): Promise<string> => {
    const client = telegram.getClient(TOKEN, { userId: 7, chatId: 7 })
    await client.sendCommand(client.makeCommand(command))
    await pump(host.bot!.bot)
    return replies(telegram, 7).join('\n')
  }

  const gpuvalid = await ask('/gpuvalid')
  for (const header of ['[lab]', '[servers]', '[vms]', '[games]', '[shop]']) t.match(gpuvalid, header)
  t.match(gpuvalid, /^• CN \/ gpu-box-4090 · NVIDIA GeForce RTX 4090 · running · CPU 13% · mem 4\.0 GiB\/16\.0 GiB · GPU 60%$/m, 'a GPU model without counts: no idle/total column')
  t.match(gpuvalid, /^• SG \/ db-sg · offline · last seen 1 hour ago$/m)
  t.match(gpuvalid, /^• HK \/ new-agent · offline · never reported$/m)
  t.match(gpuvalid, /^• build-runner · running · CPU 38% · expires in 19d, 23h$/m)
  t.match(gpuvalid, /^• old-trial · stopped · expired$/m)
  t.match(gpuvalid, /^• node-hk-1 \/ Minecraft SMP · running · CPU 24% · mem 512\.0 MiB\/1\.0 GiB$/m)
  t.match(gpuvalid, /^• My Python Server · unknown \(unknown\)$/m)
  t.match(gpuvalid, /^🟢 北京A区 \/ 641机 · RTX 3090 ×1 · GPUs idle 1\/8/m, 'AutoDL keeps its GPU columns')

  const status = await ask('/status')
  t.match(status, /^✅ servers \(nezha, read-only\) · 5 instances · last success/m)
  t.match(status, /^✅ games \(pterodactyl\) · 7 instances/m)
  t.match(status, /^✅ shop \(boardmate, read-only\) · 2 instances · last success .*\n {4}account: money 5269 · used cpu 100, disk 3072, memory 2048, servers 2 · quota cpu 100, disk 5120, memory 5120, servers 3$/m)
})

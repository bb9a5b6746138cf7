import { fileURLToPath } from 'node:url'
import { sha1Hex } from '../../providers/autodl/index.js'
import { builtinProviders } from '../../providers/index.js'
import type { NezhaOptions } from '../../providers/nezha/index.js'
import { createConfigAjv } from '../../src/config/ajv.js'
import { loadPlugins } from '../../src/config/plugins.js'
import { createRegistry } from '../../src/core/registry.js'
import type { AnyProviderDefinition, Provider, ProviderDeps } from '../../src/core/provider.js'
import { formatAjvErrors } from '../../src/core/validation.js'
import { makeDeps } from '../helpers/provider.js'
import { demoInstances } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'
import { boardmateSampleUser, startBoardmateSimulator } from '../../src/demo/simulators/boardmate/server.js'
import { computeshareSampleVms, startComputeshareSimulator } from '../../src/demo/simulators/computeshare/server.js'
import { inventorySampleMachines, startInventorySimulator } from '../helpers/inventory-simulator.js'
import { nezhaSampleServers, startNezhaSimulator } from '../../src/demo/simulators/nezha/server.js'
import { onecloudSampleDevices, startOnecloudSimulator } from '../../src/demo/simulators/onecloud/server.js'
import { pterodactylSampleServers, startPterodactylSimulator } from '../../src/demo/simulators/pterodactyl/server.js'
import type { ContractSubject } from './provider-contract.js'

const registry = createRegistry(builtinProviders)

/**
 * A provider built the way the host builds one: the options checked by the type's `configSchema`
 * (defaults filled in), then `normalizeConfig`, then `create`.
 * @throws when the schema rejects the options.
 */
function viaDefinition (definition: AnyProviderDefinition | undefined, raw: object, deps: ProviderDeps): Provider {
  if (!definition) throw new Error('no such provider type')
  const validate = createConfigAjv().compile(definition.configSchema)
  const options = structuredClone(raw)
  if (!validate(options)) throw new Error(`${definition.type} rejected the options: ${formatAjvErrors(validate.errors).join('; ')}`)
  return definition.create(definition.normalizeConfig ? definition.normalizeConfig(options) : options, deps)
}
const build = (type: string, raw: object, deps: ProviderDeps): Provider => viaDefinition(registry.get(type), raw, deps)

const long = (values: unknown[]): string[] => values.filter((v): v is string => typeof v === 'string' && v.length >= 6)
const sessionToken = async (deps: ReturnType<typeof makeDeps>): Promise<string[]> => long([(await deps.store.get<{ token: string }>('session'))?.token])

const autodl: ContractSubject = {
  name: 'autodl',
  type: 'autodl',
  setup: async (t, captured) => {
    const instances = demoInstances(new Date())
    const password = 'contract-autodl-pw'
    const sim = await startAutodlSimulator({ accounts: [{ phone: '13800000000', password, instances }] })
    t.teardown(() => sim.close())
    const deps = makeDeps('contract', { captured })
    return {
      provider: build('autodl', { phone: '13800000000', password, baseUrl: sim.url }, deps),
      captured,
      words: { unknown: 'migrating' },
      expiry: { kind: 'relogin', expire: sim.expireTokens, logins: () => sim.stats.logins },
      hang: () => sim.inject('/api/v1/instance', 'hang'),
      garbage: () => sim.inject('/api/v1/instance', 'garbage'),
      secrets: async () => [password, sha1Hex(password), ...await sessionToken(deps),
        ...long(instances.flatMap(i => [i['root_password'], i['jupyter_token'], i['ssh_command']]))]
    }
  }
}

function nezha (name: string, version: 'v0' | 'v1', options: Omit<NezhaOptions, 'baseUrl'>, expiry: 'relogin' | 'static'): ContractSubject {
  return {
    name,
    type: 'nezha',
    setup: async (t, captured) => {
      const servers = nezhaSampleServers()
      const sim = await startNezhaSimulator({
        version, servers, tokens: ['v0-contract-token-123456'], users: [{ username: 'admin', password: 'nezha-contract-pw' }], pats: ['nzp_contract-pat-0123456789']
      })
      t.teardown(() => sim.close())
      const deps = makeDeps('contract', { captured })
      const make = (o: Omit<NezhaOptions, 'baseUrl'>): Provider => build('nezha', { ...o, baseUrl: sim.url }, makeDeps('contract-wrong', { captured }))
      const path = version === 'v0' ? '/api/v1/server/details' : '/api/v1/server'
      return {
        provider: build('nezha', { ...options, baseUrl: sim.url }, deps),
        captured,
        words: { closed: ['online', 'offline', 'never_seen'] },
        expiry: expiry === 'relogin'
          ? { kind: 'relogin', expire: sim.expireTokens, logins: () => sim.stats.logins }
          : { kind: 'static', wrongCredentials: () => make({ ...options, token: options.token?.startsWith('nzp_') ? 'nzp_revoked-000000000' : 'wrong-v0-token-000000' }) },
        hang: () => sim.inject(path, 'hang'),
        garbage: () => sim.inject(path, 'garbage'),
        secrets: async () => [...long([options.token, options.password]), ...await sessionToken(deps), ...servers.map(s => s.ipv4)]
      }
    }
  }
}

const computeshare: ContractSubject = {
  name: 'computeshare',
  type: 'computeshare',
  setup: async (t, captured) => {
    const vms = computeshareSampleVms()
    const user = { username: '13000000000', password: 'contract-cs-pw' }
    const sim = await startComputeshareSimulator({ users: [user], vms })
    t.teardown(() => sim.close())
    const deps = makeDeps('contract', { captured })
    return {
      provider: build('computeshare', { ...user, baseUrl: sim.url }, deps),
      captured,
      words: { unknown: '42' },
      expiry: { kind: 'relogin', expire: sim.expireTokens, logins: () => sim.stats.logins },
      hang: () => sim.inject('/api/v1/instance', 'hang'),
      garbage: () => sim.inject('/api/v1/instance', 'garbage'),
      secrets: async () => [user.password, ...await sessionToken(deps), ...vms.map(v => v.vncPassword)]
    }
  }
}

const pterodactyl: ContractSubject = {
  name: 'pterodactyl',
  type: 'pterodactyl',
  setup: async (t, captured) => {
    const servers = pterodactylSampleServers()
    const key = 'ptlc_contractContractContract0123456789'
    const sim = await startPterodactylSimulator({ keys: [key], servers })
    t.teardown(() => sim.close())
    const make = (apiKey: string): Provider => {
      const p = build('pterodactyl', { baseUrl: sim.url, apiKey, requestsPerMinute: 6000 }, makeDeps('contract', { captured }))
      t.teardown(() => p.close?.())
      return p
    }
    return {
      provider: make(key),
      captured,
      words: { unknown: 'hibernating' },
      expiry: { kind: 'static', wrongCredentials: () => make('ptlc_wrongWrongWrongWrong00') },
      hang: () => sim.inject('/api/client', 'hang'),
      garbage: () => sim.inject('/api/client', 'garbage'),
      secrets: async () => [key, ...servers.flatMap(s => Object.values(s.variables))]
    }
  }
}

const boardmate: ContractSubject = {
  name: 'boardmate',
  type: 'boardmate',
  setup: async (t, captured) => {
    const key = 'BoardMateContractKey0123456789abcdefghijABCDEFGHIJ'
    const sim = await startBoardmateSimulator({ apiKey: key, users: { '123456789012345678': boardmateSampleUser() } })
    t.teardown(() => sim.close())
    const make = (apiKey: string): Provider =>
      build('boardmate', { baseUrl: sim.url, apiKey, discordUserId: '123456789012345678' }, makeDeps('contract', { captured }))
    return {
      provider: make(key),
      captured,
      words: { closed: ['unknown'] },
      expiry: { kind: 'static', wrongCredentials: () => make('wrong-key-0000000000') },
      hang: () => sim.inject('/api/user/:id', 'hang'),
      garbage: () => sim.inject('/api/user/:id', 'garbage'),
      secrets: async () => [key]
    }
  }
}

const onecloud: ContractSubject = {
  name: 'onecloud',
  type: 'onecloud',
  setup: async (t, captured) => {
    const devices = onecloudSampleDevices() as Array<Record<string, string>>
    // A status word nobody documented (a firmware upgrade, say): it must stay unknown, not become offline.
    devices.push({ ...devices[0]!, device_sn: 'OCPG1211UPG', peerid: '00226D5A5A74889X0077', status: 'upgrading' })
    const sim = await startOnecloudSimulator({ accounts: [{ user: '13800000000', password: 'contract-wky-pw', userid: '5458114', devices }] })
    t.teardown(() => sim.close())
    const deps = makeDeps('contract', { captured })
    return {
      provider: build('onecloud', { user: '13800000000', password: 'contract-wky-pw', accountBaseUrl: sim.url, controlBaseUrl: sim.url }, deps),
      captured,
      words: { unknown: 'upgrading' },
      expiry: { kind: 'relogin', expire: sim.expireSessions, logins: () => sim.stats.logins },
      hang: () => sim.inject('/listPeer', 'hang'),
      garbage: () => sim.inject('/listPeer', 'garbage'),
      secrets: async () => {
        const stored = (await deps.store.get<{ token: string }>('session'))?.token
        return ['contract-wky-pw', ...long([stored ? (JSON.parse(stored) as { sessionid: string }).sessionid : undefined]),
          ...long(devices.flatMap(d => [d['licence'], d['ip'], d['lan_ip'], d['mac_address']]))]
      }
    }
  }
}

const plugin: ContractSubject = {
  name: 'json-inventory (plugin loaded by path)',
  type: 'json-inventory',
  setup: async (t, captured) => {
    const loads = await loadPlugins(['./plugins/json-inventory/index.js'], { baseDir: fileURLToPath(new URL('../fixtures/', import.meta.url)), builtins: registry })
    const load = loads.get('./plugins/json-inventory/index.js')!
    if ('error' in load) throw new Error(load.error)
    const definition = load.definition
    if (definition.type !== 'json-inventory') throw new Error(`the example plugin declares type ${definition.type}`)
    const machines = inventorySampleMachines()
    const token = 'inventory-contract-token'
    const sim = await startInventorySimulator({ token, machines })
    t.teardown(() => sim.close())
    const make = (tok: string): Provider => viaDefinition(definition, { url: sim.url, token: tok }, makeDeps('contract', { captured }))
    return {
      provider: make(token),
      captured,
      words: { unknown: 'maintenance' },
      expiry: { kind: 'static', wrongCredentials: () => make('wrong-inventory-token') },
      hang: () => sim.inject('/machines', 'hang'),
      garbage: () => sim.inject('/machines', 'garbage'),
      secrets: async () => [token, ...machines.map(m => m.bmcPassword)]
    }
  }
}

/** Every provider the contract runs on: each built-in type (Nezha in its three auth modes) and the example plugin. */
export const subjects: ContractSubject[] = [
  autodl,
  nezha('nezha v0 (API token)', 'v0', { token: 'v0-contract-token-123456', apiVersion: 'v0' }, 'static'),
  nezha('nezha v1 (login)', 'v1', { username: 'admin', password: 'nezha-contract-pw' }, 'relogin'),
  nezha('nezha v2 (personal access token)', 'v1', { token: 'nzp_contract-pat-0123456789' }, 'static'),
  computeshare,
  pterodactyl,
  boardmate,
  onecloud,
  plugin
]

/** Every registered built-in type: each must have a subject (a new provider cannot skip the contract). */
export const builtinTypes = registry.types()

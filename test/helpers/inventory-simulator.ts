import { createSimKit, type Fault, type SeenRequest } from '../../src/demo/simulators/kit.js'

export interface InventoryMachine {
  id: string
  name: string
  site: string
  status: string
  gpus?: { model: string; total: number; idle: number }
  /** Secret of the machine; the plugin must not copy it. */
  bmcPassword: string
}

export interface InventorySimulator {
  url: string
  stats: { requests: Record<string, number> }
  requests: SeenRequest[]
  inject (route: string, fault: Fault, times?: number): void
  close (): Promise<void>
}

/** The endpoint of the example plugin (test/fixtures/plugins/json-inventory): `GET /machines`, Bearer token, 401 otherwise. */
export async function startInventorySimulator (options: { token: string; machines: InventoryMachine[] }): Promise<InventorySimulator> {
  const kit = createSimKit()
  kit.app.get('/machines', async (request, reply) => {
    if (request.headers.authorization !== `Bearer ${options.token}`) return await reply.code(401).send({ error: 'unauthorized' })
    return { machines: options.machines }
  })
  const url = await kit.listen()
  return { url: `${url}/machines`, stats: { requests: kit.counts }, requests: kit.requests, inject: kit.inject, close: kit.close }
}

export function inventorySampleMachines (): InventoryMachine[] {
  return [
    { id: 'rack1-n1', name: 'a100-node-1', site: 'lab-west', status: 'up', gpus: { model: 'A100-80GB', total: 8, idle: 3 }, bmcPassword: 'bmc-Secret-1' },
    { id: 'rack1-n2', name: 'a100-node-2', site: 'lab-west', status: 'down', gpus: { model: 'A100-80GB', total: 8, idle: 8 }, bmcPassword: 'bmc-Secret-2' },
    { id: 'rack2-n1', name: 'cpu-node', site: 'lab-east', status: 'maintenance', bmcPassword: 'bmc-Secret-3' }
  ]
}

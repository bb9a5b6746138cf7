import type { InstanceData } from '../../src/core/instance.js'
import type { CallOptions, Provider } from '../../src/core/provider.js'

/** A provider whose next answers a test sets: instances, an error, or a hang (optionally deaf to abort). */
export class FakeProvider implements Provider {
  readonly capabilities = { powerOn: false, powerOff: false, noGpuMode: false, releaseAfterStopSeconds: null }
  calls = 0
  /** The options of the latest list call. */
  lastOptions: CallOptions = {}
  authentications = 0
  closed = false
  next: { instances: InstanceData[] } | { error: Error } | { hang: 'respect-abort' | 'ignore-abort' } = { instances: [] }

  async authenticate (): Promise<void> {
    this.authentications++
  }

  async listInstances (options: CallOptions = {}): Promise<InstanceData[]> {
    this.calls++
    this.lastOptions = options
    const next = this.next
    if ('instances' in next) return next.instances
    if ('error' in next) throw next.error
    return await new Promise((_resolve, reject) => {
      if (next.hang === 'respect-abort') options.signal?.addEventListener('abort', () => reject(new Error('aborted by signal')))
    })
  }

  async powerOn (): Promise<void> {}
  async powerOff (): Promise<void> {}
  async close (): Promise<void> {
    this.closed = true
  }
}

/** A plausible instance. */
export function fakeInstance (id: string, overrides: Partial<InstanceData> = {}): InstanceData {
  return {
    id,
    name: `name-${id}`,
    region: 'R1',
    state: 'stopped',
    providerState: 'shutdown',
    gpu: { model: 'RTX 4090', requested: 1, hostTotal: 8, hostIdle: 0 },
    stoppedAt: '2026-11-20T10:00:00+08:00',
    releaseAt: '2026-12-05T10:00:00+08:00',
    pricePerHour: 1.88,
    ...overrides
  }
}

import { Gauge, Registry } from 'prom-client'
import { INSTANCE_STATES, METRIC_KEYS, type Instance, type InstanceMetrics } from '../core/instance.js'
import type { ProviderStatus } from '../core/snapshot.js'

/** What the view gauges are read from: one viewer's instances and provider statuses. */
export interface MetricsView {
  instances: readonly Instance[]
  providers: readonly ProviderStatus[]
}

/**
 * Metric names, help and scale of the live {@link InstanceMetrics}, in Prometheus base units: bytes,
 * seconds, and 0–1 ratios for what providers report in percent (the naming guide's `_ratio`).
 */
const LIVE_METRICS: Record<typeof METRIC_KEYS[number], [name: string, help: string, divisor: number]> = {
  cpuPercent: ['cpu_usage_ratio', 'CPU use, 0-1.', 100],
  memoryUsedBytes: ['memory_used_bytes', 'Memory in use.', 1],
  memoryTotalBytes: ['memory_total_bytes', 'Memory of the machine, or its limit.', 1],
  diskUsedBytes: ['disk_used_bytes', 'Disk in use.', 1],
  diskTotalBytes: ['disk_total_bytes', 'Disk of the machine, or its limit.', 1],
  networkInBytesPerSecond: ['network_receive_bytes_per_second', 'Inbound traffic rate.', 1],
  networkOutBytesPerSecond: ['network_transmit_bytes_per_second', 'Outbound traffic rate.', 1],
  load1: ['load1', 'One-minute load average.', 1],
  uptimeSeconds: ['uptime_seconds', 'Time since boot (or since the server started).', 1],
  gpuPercent: ['gpu_usage_ratio', 'GPU use, 0-1 (mean over the GPUs).', 100]
}

/**
 * The gauges of the aggregated view, read from `view()` at each collection. Instances are labelled
 * `instance_id` (not `instance`, which Prometheus sets to the scrape target), plus `provider` (the entry
 * id); names, regions and GPU models are in `computewatch_instance_info` only, and the state is a state
 * set of its own, so no series changes identity when an instance changes.
 * @returns the gauges, each in a registry of its own, and {@link ViewMetrics.render} (call it with `view()` valid).
 */
export function viewMetrics (view: () => MetricsView): ViewMetrics {
  const registries: Registry[] = []
  const providerLabels = ['provider', 'type'] as const
  const instanceLabels = ['provider', 'instance_id'] as const
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (g: Gauge<L>) => void): void => {
    const registry = new Registry()
    registries.push(registry)
    // eslint-disable-next-line no-new
    new Gauge<L>({ name, help, labelNames, registers: [registry], collect () { this.reset(); fill(this) } })
  }
  const perInstance = (name: string, help: string, value: (i: Instance) => number | null | undefined): void => {
    gauge(`computewatch_instance_${name}`, help, instanceLabels, g => {
      for (const i of view().instances) {
        const v = value(i)
        if (v !== null && v !== undefined) g.set({ provider: i.provider, instance_id: i.id }, v)
      }
    })
  }
  const seconds = (iso: string | null | undefined): number | null => iso ? Date.parse(iso) / 1000 : null

  gauge('computewatch_provider_up', '1 when the provider entry\'s latest poll succeeded.', providerLabels, g => {
    for (const p of view().providers) g.set({ provider: p.id, type: p.type }, p.ok ? 1 : 0)
  })
  gauge('computewatch_provider_poll_duration_seconds', 'Duration of the latest poll.', providerLabels, g => {
    for (const p of view().providers) if (p.durationMs !== null) g.set({ provider: p.id, type: p.type }, p.durationMs / 1000)
  })
  gauge('computewatch_provider_last_success_timestamp_seconds', 'End of the latest successful poll, unix time.', providerLabels, g => {
    for (const p of view().providers) if (p.lastSuccessAt) g.set({ provider: p.id, type: p.type }, Date.parse(p.lastSuccessAt) / 1000)
  })
  gauge('computewatch_provider_instances', 'Instances of the provider entry in the view.', providerLabels, g => {
    for (const p of view().providers) g.set({ provider: p.id, type: p.type }, p.instanceCount)
  })
  gauge('computewatch_provider_account_value', 'Numeric account facts (e.g. BoardMate balance and quota); nested keys joined with ".".', ['provider', 'type', 'key'], g => {
    for (const p of view().providers) {
      for (const [key, value] of Object.entries(p.account ?? {})) {
        if (key === 'balanceYuan') continue // computewatch_provider_balance_yuan
        if (typeof value === 'number') g.set({ provider: p.id, type: p.type, key }, value)
        else if (value !== null && typeof value === 'object') {
          for (const [sub, v] of Object.entries(value)) if (typeof v === 'number') g.set({ provider: p.id, type: p.type, key: `${key}.${sub}` }, v)
        }
      }
    }
  })
  gauge('computewatch_provider_balance_yuan', 'The account\'s balance in yuan, as the provider last reported it (AutoDL wallet).', providerLabels, g => {
    for (const p of view().providers) {
      const balance = p.account?.['balanceYuan']
      if (typeof balance === 'number') g.set({ provider: p.id, type: p.type }, balance)
    }
  })
  gauge('computewatch_instance_info', 'Always 1; labels carry the instance\'s name, region and GPU model.',
    ['provider', 'type', 'instance_id', 'name', 'region', 'gpu_model'], g => {
      for (const i of view().instances) {
        g.set({ provider: i.provider, type: i.providerType, instance_id: i.id, name: i.name, region: i.region ?? '', gpu_model: i.gpu?.model ?? '' }, 1)
      }
    })
  gauge('computewatch_instance_state', `State set: 1 for the instance's current state, 0 for the others (${INSTANCE_STATES.join(', ')}).`,
    ['provider', 'instance_id', 'state'], g => {
      for (const i of view().instances) {
        for (const state of INSTANCE_STATES) g.set({ provider: i.provider, instance_id: i.id, state }, i.state === state ? 1 : 0)
      }
    })
  perInstance('host_gpus_idle', 'GPUs idle on the instance\'s host machine.', i => i.gpu?.hostIdle)
  perInstance('host_gpus', 'GPUs on the instance\'s host machine.', i => i.gpu?.hostTotal)
  perInstance('gpus_requested', 'GPUs the instance requests when powered on with GPU.', i => i.gpu?.requested)
  perInstance('release_timestamp_seconds', 'When a stopped instance will be released, unix time.', i => seconds(i.releaseAt))
  perInstance('price_yuan_per_hour', 'Price per hour in yuan.', i => i.pricePerHour)
  perInstance('last_seen_timestamp_seconds', 'When a monitoring agent last reported, unix time.', i => seconds(i.lastSeenAt))
  perInstance('expiry_timestamp_seconds', 'When the rental term ends, unix time.', i => seconds(i.expiresAt))
  for (const [key, [name, help, divisor]] of Object.entries(LIVE_METRICS) as Array<[keyof InstanceMetrics, [string, string, number]]>) {
    perInstance(name, help, i => {
      const value = i.metrics?.[key]
      return value === null || value === undefined ? null : value / divisor
    })
  }
  return { registries, contentType: Registry.PROMETHEUS_CONTENT_TYPE, render: async () => await renderEach(registries) }
}

/** The aggregated view's gauges (see {@link viewMetrics}). */
export interface ViewMetrics {
  /** One registry per gauge, in the order they are rendered. */
  readonly registries: readonly Registry[]
  /** The `Content-Type` of the text `render()` makes (Prometheus text format 0.0.4). */
  readonly contentType: string
  /**
   * The gauges as Prometheus text, UTF-8: the bytes one registry holding them all makes with
   * `metrics()`. Rendered one gauge at a time, each gauge's text encoded and its label sets dropped
   * before the next is collected. Rendered whole, 10,000 instances made one 13 MB string (two bytes a
   * character once a region name is Chinese) on top of every gauge's lines, and prom-client kept the
   * label sets (about 140,000) until the next scrape.
   */
  render (): Promise<Buffer>
}

async function renderEach (registries: readonly Registry[]): Promise<Buffer> {
  const parts: Buffer[] = []
  for (const registry of registries) {
    try {
      // Each registry's text ends with a newline; one registry of them all would separate them by a blank line.
      parts.push(Buffer.from(`${parts.length === 0 ? '' : '\n'}${await registry.metrics()}`))
    } finally {
      registry.resetMetrics()
    }
  }
  return Buffer.concat(parts)
}

import type { FastifyPluginAsync } from 'fastify'
import { Gauge, Registry } from 'prom-client'
import type { Aggregator } from '../../core/aggregator.js'
import { PUBLIC_VIEWER } from '../../core/visibility.js'
import { METRIC_KEYS, type InstanceMetrics } from '../../core/instance.js'
import type { SnapshotCache } from '../snapshot-cache.js'

/** Metric names and help of {@link InstanceMetrics} keys, in Prometheus base units. */
const METRIC_NAMES: Record<typeof METRIC_KEYS[number], [string, string]> = {
  cpuPercent: ['cpu_percent', 'CPU use, percent.'],
  memoryUsedBytes: ['memory_used_bytes', 'Memory in use.'],
  memoryTotalBytes: ['memory_total_bytes', 'Memory of the machine, or its limit.'],
  diskUsedBytes: ['disk_used_bytes', 'Disk in use.'],
  diskTotalBytes: ['disk_total_bytes', 'Disk of the machine, or its limit.'],
  networkInBytesPerSecond: ['network_receive_bytes_per_second', 'Inbound traffic rate.'],
  networkOutBytesPerSecond: ['network_transmit_bytes_per_second', 'Outbound traffic rate.'],
  load1: ['load1', 'One-minute load average.'],
  uptimeSeconds: ['uptime_seconds', 'Time since boot (or since the server started).'],
  gpuPercent: ['gpu_percent', 'GPU use, percent (mean over the GPUs).']
}

/**
 * `GET /metrics`: the aggregated view in Prometheus text format, in base units (seconds, yuan).
 * Values come from the snapshot (instances that disappear drop out); the text is rendered once per
 * snapshot, so frequent scrapes between polls cost nothing.
 */
export const metricsRoutes: FastifyPluginAsync<{ aggregator: Aggregator; cache: SnapshotCache }> = async (app, { aggregator, cache }) => {
  const registry = new Registry()
  let current: ReturnType<Aggregator['view']> | null = null
  const view = (): ReturnType<Aggregator['view']> => current!
  const providerLabels = ['provider', 'type'] as const
  const instanceLabels = ['provider', 'instance'] as const
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (g: Gauge<L>) => void): void => {
    // eslint-disable-next-line no-new
    new Gauge<L>({ name, help, labelNames, registers: [registry], collect () { this.reset(); fill(this) } })
  }

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
  gauge('computewatch_instance_info', 'Always 1; labels carry the instance\'s name, region, state and GPU model.',
    ['provider', 'type', 'instance', 'name', 'region', 'state', 'provider_state', 'gpu_model'], g => {
      for (const i of view().instances) {
        g.set({
          provider: i.provider, type: i.providerType, instance: i.id, name: i.name, region: i.region ?? '', state: i.state,
          provider_state: i.providerState, gpu_model: i.gpu?.model ?? ''
        }, 1)
      }
    })
  gauge('computewatch_instance_host_gpus_idle', 'GPUs idle on the instance\'s host machine.', instanceLabels, g => {
    for (const i of view().instances) if (i.gpu?.hostIdle != null) g.set({ provider: i.provider, instance: i.id }, i.gpu.hostIdle)
  })
  gauge('computewatch_instance_host_gpus', 'GPUs on the instance\'s host machine.', instanceLabels, g => {
    for (const i of view().instances) if (i.gpu?.hostTotal != null) g.set({ provider: i.provider, instance: i.id }, i.gpu.hostTotal)
  })
  gauge('computewatch_instance_gpus_requested', 'GPUs the instance requests when powered on with GPU.', instanceLabels, g => {
    for (const i of view().instances) if (i.gpu?.requested != null) g.set({ provider: i.provider, instance: i.id }, i.gpu.requested)
  })
  gauge('computewatch_instance_release_timestamp_seconds', 'When a stopped instance will be released, unix time.', instanceLabels, g => {
    for (const i of view().instances) if (i.releaseAt) g.set({ provider: i.provider, instance: i.id }, Date.parse(i.releaseAt) / 1000)
  })
  gauge('computewatch_instance_price_yuan_per_hour', 'Price per hour in yuan.', instanceLabels, g => {
    for (const i of view().instances) if (i.pricePerHour !== null) g.set({ provider: i.provider, instance: i.id }, i.pricePerHour)
  })
  gauge('computewatch_instance_last_seen_timestamp_seconds', 'When a monitoring agent last reported, unix time.', instanceLabels, g => {
    for (const i of view().instances) if (i.lastSeenAt) g.set({ provider: i.provider, instance: i.id }, Date.parse(i.lastSeenAt) / 1000)
  })
  gauge('computewatch_instance_expiry_timestamp_seconds', 'When the rental term ends, unix time.', instanceLabels, g => {
    for (const i of view().instances) if (i.expiresAt) g.set({ provider: i.provider, instance: i.id }, Date.parse(i.expiresAt) / 1000)
  })
  for (const [key, [name, help]] of Object.entries(METRIC_NAMES) as Array<[keyof InstanceMetrics, [string, string]]>) {
    gauge(`computewatch_instance_${name}`, help, instanceLabels, g => {
      for (const i of view().instances) {
        const value = i.metrics?.[key]
        if (value !== null && value !== undefined) g.set({ provider: i.provider, instance: i.id }, value)
      }
    })
  }
  gauge('computewatch_provider_account_value', 'Numeric account facts (e.g. BoardMate balance and quota); nested keys joined with ".".', ['provider', 'type', 'key'], g => {
    for (const p of view().providers) {
      for (const [key, value] of Object.entries(p.account ?? {})) {
        if (typeof value === 'number') g.set({ provider: p.id, type: p.type, key }, value)
        else if (value !== null && typeof value === 'object') {
          for (const [sub, v] of Object.entries(value)) if (typeof v === 'number') g.set({ provider: p.id, type: p.type, key: `${key}.${sub}` }, v)
        }
      }
    }
  })

  app.get('/metrics', {
    schema: {
      summary: 'Prometheus metrics of the aggregated view',
      tags: ['status'],
      produces: ['text/plain'],
      response: { 200: { type: 'string' } }
    }
  }, (_request, reply) => {
    reply.type(registry.contentType)
    return cache.body('metrics', async () => {
      current = aggregator.view(PUBLIC_VIEWER)
      try { return await registry.metrics() } finally { current = null }
    })
  })
}

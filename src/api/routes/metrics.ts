import type { FastifyInstance } from 'fastify'
import { Gauge, Registry } from 'prom-client'
import type { Aggregator } from '../../core/aggregator.js'
import type { SnapshotCache } from '../snapshot-cache.js'

/**
 * `GET /metrics`: the aggregated view in Prometheus text format, in base units (seconds, yuan).
 * Values come from the snapshot (instances that disappear drop out); the text is rendered once per
 * snapshot, so frequent scrapes between polls cost nothing.
 */
export function metricsRoute (app: FastifyInstance, aggregator: Aggregator, cache: SnapshotCache): void {
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
  gauge('computewatch_instance_host_gpus_total', 'GPUs on the instance\'s host machine.', instanceLabels, g => {
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

  app.get('/metrics', {
    schema: {
      summary: 'Prometheus metrics of the aggregated view',
      tags: ['status'],
      produces: ['text/plain'],
      response: { 200: { type: 'string' } }
    }
  }, async (_request, reply) => {
    reply.type(registry.contentType)
    return await cache.get('metrics', async () => {
      current = aggregator.view({})
      try { return await registry.metrics() } finally { current = null }
    })
  })
}

import { INSTANCE_STATES } from '../core/instance.js'

/** Body of every error answer (Fastify's default error shape). */
export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string', description: 'Stable error code, e.g. CW_ERR_UNAUTHORIZED or CW_ERR_VALIDATION (README: Error codes).' },
    error: { type: 'string' },
    message: { type: 'string', description: 'What went wrong and what to send instead.' }
  }
} as const

/** Error answers every protected route can give. */
export const errorResponses = {
  400: { $ref: 'Error#' },
  401: { $ref: 'Error#' },
  403: { $ref: 'Error#' }
} as const

export const instancesQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    provider: { type: 'string', minLength: 1, description: 'Only this provider entry id.' },
    type: { type: 'string', minLength: 1, description: 'Only this provider type, e.g. autodl.' },
    state: { type: 'string', enum: [...INSTANCE_STATES], description: 'Only instances in this state.' },
    gpuIdle: { type: 'boolean', description: 'true: only instances whose host has at least `requested` idle GPUs.' }
  }
} as const

export interface InstancesQuery {
  provider?: string
  type?: string
  state?: typeof INSTANCE_STATES[number]
  gpuIdle?: boolean
}

export const snapshotResponseSchema = {
  type: 'object',
  required: ['generatedAt', 'instances', 'providers'],
  additionalProperties: false,
  properties: {
    generatedAt: { type: 'string', format: 'date-time' },
    instances: { type: 'array', items: { $ref: 'Instance#' } },
    providers: { type: 'array', items: { $ref: 'ProviderStatus#' } }
  }
} as const

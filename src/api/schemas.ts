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

/** `GET /api/v1/instances` (`$id: InstanceList`): the instances that match, and every provider entry's health. */
export const instanceListSchema = {
  $id: 'InstanceList',
  type: 'object',
  required: ['generatedAt', 'instances', 'providers'],
  additionalProperties: false,
  properties: {
    generatedAt: { type: 'string', format: 'date-time' },
    instances: { type: 'array', items: { $ref: 'Instance#' } },
    providers: { type: 'array', items: { $ref: 'ProviderStatus#' } }
  }
} as const

/** A mute (`$id: Mute`): who silenced which provider entry or instance until when. */
export const muteSchema = {
  $id: 'Mute',
  type: 'object',
  properties: {
    id: { type: 'string' },
    target: { type: 'object', properties: { provider: { type: 'string' }, instanceId: { type: 'string' } } },
    label: { type: 'string' },
    until: { type: 'string', format: 'date-time' },
    by: { type: 'string' },
    reason: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' }
  }
} as const

/** One line of the audit log (`$id: AuditEntry`): who did what to which instance, and how it ended. */
export const auditEntrySchema = {
  $id: 'AuditEntry',
  type: 'object',
  properties: {
    id: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    actor: { type: 'object', additionalProperties: true },
    action: { type: 'string' },
    target: { type: 'object', properties: { provider: { type: 'string' }, instanceId: { type: 'string' }, name: { type: 'string' } } },
    result: { type: 'string', enum: ['requested', 'succeeded', 'failed', 'refused'] },
    detail: { type: 'string' },
    actionId: { type: 'string' }
  }
} as const

/** `POST …/confirmations` (`$id: Confirmation`): what the action does and costs, and the single-use token that runs it. */
export const confirmationSchema = {
  $id: 'Confirmation',
  type: 'object',
  required: ['token', 'action', 'mode', 'text', 'expiresAt'],
  additionalProperties: false,
  properties: {
    token: { type: 'string', description: 'Send it as `confirmation` with the action; it works once.' },
    action: { type: 'string', enum: ['power-on', 'power-off', 'keep-alive'] },
    mode: { type: 'string', enum: ['gpu', 'no_gpu'] },
    text: { type: 'string', description: 'What the action does and costs, as the bot asks it.' },
    expiresAt: { type: 'string', format: 'date-time' }
  }
} as const

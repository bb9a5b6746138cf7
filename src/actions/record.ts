import type { Actor } from '../audit/log.js'
import type { PowerOnMode } from '../core/provider.js'

/** What an action does. `keep-alive`: power on in no-GPU mode, then off, so the release clock starts again. */
export type ActionKind = 'power-on' | 'power-off' | 'keep-alive'

/** `pending` (created), `running` (accepted by the provider, following its state), `succeeded`, `failed`. */
export type ActionStatus = 'pending' | 'running' | 'succeeded' | 'failed'

/** An action and how far it got. Published at `GET /api/v1/actions/{id}`. */
export interface ActionRecord {
  id: string
  kind: ActionKind
  /** Power-on flavour (keep-alive uses `no_gpu`). */
  mode: PowerOnMode | null
  provider: string
  instanceId: string
  /** Display name of the instance when the action started. */
  instanceName: string
  actor: Actor
  status: ActionStatus
  /** The current step, e.g. `requesting power-on`, `waiting for running`, `verifying the release clock`. */
  step: string
  /** The instance's state as last seen. */
  instanceState: string
  /** ISO 8601. */
  createdAt: string
  updatedAt: string
  finishedAt: string | null
  /** Why it failed; null otherwise. */
  error: { code: string; message: string } | null
  /** Keep-alive: stop time before and after, and the new release time. */
  result: { stoppedAtBefore?: string | null; stoppedAtAfter?: string | null; releaseAt?: string | null } | null
  /** A power-on asked with a stop timer (`stopAfter`): when the timer powers the instance off, ISO 8601. */
  stopAt?: string
}

/** JSON schema of {@link ActionRecord} (`$id: Action`). */
export const actionSchema = {
  $id: 'Action',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind', 'mode', 'provider', 'instanceId', 'instanceName', 'actor', 'status', 'step', 'instanceState', 'createdAt', 'updatedAt', 'finishedAt', 'error', 'result'],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: ['power-on', 'power-off', 'keep-alive'] },
    mode: { type: ['string', 'null'], enum: ['gpu', 'no_gpu', null] },
    provider: { type: 'string' },
    instanceId: { type: 'string' },
    instanceName: { type: 'string' },
    actor: {
      type: 'object',
      additionalProperties: false,
      required: ['kind'],
      properties: { kind: { type: 'string' }, userId: { type: 'integer' }, name: { type: 'string' }, key: { type: 'string' }, reason: { type: 'string' }, onBehalfOf: { type: 'integer' } }
    },
    status: { type: 'string', enum: ['pending', 'running', 'succeeded', 'failed'] },
    step: { type: 'string' },
    instanceState: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
    error: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } }
    },
    result: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: { stoppedAtBefore: { type: ['string', 'null'] }, stoppedAtAfter: { type: ['string', 'null'] }, releaseAt: { type: ['string', 'null'] } }
    },
    stopAt: { type: 'string', format: 'date-time', description: 'A power-on asked with `stopAfter`: when its stop timer powers the instance off.' }
  }
} as const

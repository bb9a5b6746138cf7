import type { FastifyPluginAsync } from 'fastify'

/**
 * `GET /api/v1/me`: who the caller is to the API — the key's name and scopes (or the anonymous reader
 * when no keys are configured), whether a key is needed and was accepted, and whether power control is
 * served at all. Answers 200 without a valid key too (`authenticated: false`), so a page can ask for a
 * key without first provoking a 401; the key itself is never echoed.
 */
export const meRoutes: FastifyPluginAsync<{ control: boolean }> = async (app, { control }) => {
  app.get('/api/v1/me', {
    config: { auth: 'optional' },
    schema: {
      summary: 'The caller: key name, scopes, and whether control is possible',
      operationId: 'getCaller',
      tags: ['status'],
      response: {
        200: {
          type: 'object',
          required: ['authenticated', 'keyRequired', 'name', 'anonymous', 'scopes', 'control'],
          additionalProperties: false,
          properties: {
            authenticated: { type: 'boolean', description: 'false when keys are configured and none (or an unknown one) was sent.' },
            keyRequired: { type: 'boolean', description: 'true when api.apiKeys is not empty: every read needs a key.' },
            name: { type: ['string', 'null'], description: 'The key\'s name from api.apiKeys, "anonymous", or null when not authenticated.' },
            anonymous: { type: 'boolean', description: 'true when no keys are configured: reads are open, control is not.' },
            scopes: { type: 'array', items: { type: 'string', enum: ['read', 'control'] } },
            control: { type: 'boolean', description: 'true when this caller may power instances on and off here.' }
          }
        }
      }
    }
  }, (request, reply) => {
    const principal = request.principal
    if (principal === null) return reply.send({ authenticated: false, keyRequired: true, name: null, anonymous: false, scopes: [], control: false })
    return reply.send({
      authenticated: true, keyRequired: !principal.anonymous, name: principal.name, anonymous: principal.anonymous, scopes: principal.scopes, control: control && principal.scopes.includes('control')
    })
  })
}

import type { FastifyPluginAsync } from 'fastify'
import { errorResponses } from '../schemas.js'

/**
 * `GET /api/v1/me`: who the caller is to the API — the key's name and scopes (or the anonymous reader
 * when no keys are configured), and whether power control is served at all. The page asks it to know
 * which buttons to show; the key itself is never echoed.
 */
export const meRoutes: FastifyPluginAsync<{ control: boolean }> = async (app, { control }) => {
  app.get('/api/v1/me', {
    schema: {
      summary: 'The caller: key name, scopes, and whether control is possible',
      tags: ['status'],
      response: {
        200: {
          type: 'object',
          required: ['name', 'anonymous', 'scopes', 'control'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', description: 'The key\'s name from api.apiKeys, or "anonymous".' },
            anonymous: { type: 'boolean', description: 'true when no keys are configured: reads are open, control is not.' },
            scopes: { type: 'array', items: { type: 'string', enum: ['read', 'control'] } },
            control: { type: 'boolean', description: 'true when this caller may power instances on and off here.' }
          }
        },
        ...errorResponses
      }
    }
  }, (request, reply) => {
    const principal = request.principal!
    return reply.send({ name: principal.name, anonymous: principal.anonymous, scopes: principal.scopes, control: control && principal.scopes.includes('control') })
  })
}

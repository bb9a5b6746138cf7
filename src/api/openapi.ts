import type { SwaggerOptions } from '@fastify/swagger'
import type { RouteOptions } from 'fastify'
import { PUBLIC_ROUTES } from './auth.js'

const error = (description: string): { $ref: string; description: string } => ({ $ref: 'Error#', description })

/** The scheme every protected route names, with the scopes it grants. */
const SECURITY_SCHEME = 'apiKey'

/**
 * `@fastify/swagger` options: OpenAPI 3.1 (security requirements of a Bearer scheme may then name
 * the scope a route needs), the server relative to the document, component schemas named by their
 * `$id` (`Instance`, `ProviderStatus`, `Action`, `Mute`, `AuditEntry`, `Error`, …) instead of `def-N`,
 * and the scopes described.
 */
export function openapiOptions (version: string): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'computewatch status API',
        version,
        description: 'The aggregated view of every provider entry: instances, idle GPUs on their hosts, release times, prices; power actions, mutes and the audit log.',
        license: { name: 'MIT', identifier: 'MIT' }
      },
      servers: [{ url: '/', description: 'The host that serves this document.' }],
      tags: [
        { name: 'health', description: 'Whether the process answers.' },
        { name: 'status', description: 'The aggregated view, metrics, badges and live events (`read` scope).' },
        { name: 'control', description: 'Power actions, confirmations, action records and the audit log (`control` to act).' },
        { name: 'alerts', description: 'Mutes: silence the alerts of a provider entry or an instance for a while.' }
      ],
      components: {
        securitySchemes: {
          [SECURITY_SCHEME]: {
            type: 'http',
            scheme: 'bearer',
            description: 'A key from `api.apiKeys`, sent as `Authorization: Bearer <key>`. Each route names the scope it needs: ' +
              '`read` — the view (instances, providers), `/metrics`, badges, events, action records, the audit log and mutes; ' +
              '`control` — power on/off, keep-alive, confirmations, creating and ending mutes. Without configured keys, reads are open ' +
              'and control is refused (403).'
          }
        }
      }
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => typeof json['$id'] === 'string' ? json['$id'] : `def-${i}`
    }
  }
}

/**
 * An `onRoute` hook for the API's routes: it completes each route's documentation from what the route
 * really does, so the document cannot drift from the key check.
 * - `security`: none for {@link PUBLIC_ROUTES}; optional for `config.auth: 'optional'`; else the scope
 *   of `config.scope` (default `read`) — open for reads when no keys are configured.
 * - the error answers every such route can give: 400 (an unknown query parameter: a route without a
 *   query schema gets an empty one, so no parameter is silently ignored), 401 and 403 where a key is
 *   checked, 500 (a bug).
 * @throws Error at registration for a documented route without `operationId`.
 */
export function documentRoute (keyed: boolean) {
  return (route: RouteOptions): void => {
    const schema = route.schema as (Record<string, unknown> & { response?: Record<string, unknown>; hide?: boolean }) | undefined
    if (!schema || schema.hide) return
    if (typeof schema['operationId'] !== 'string') throw new Error(`${String(route.method)} ${route.url}: the route's schema needs an operationId`)
    schema['querystring'] ??= { type: 'object', properties: {}, additionalProperties: false }
    const scope = route.config?.scope ?? 'read'
    const isPublic = PUBLIC_ROUTES.has(route.url)
    const optional = route.config?.auth === 'optional'
    const requirement = { [SECURITY_SCHEME]: [scope] }
    schema['security'] = isPublic ? [] : optional ? [{}, requirement] : scope === 'read' && !keyed ? [] : [requirement]
    const checked = !isPublic && !optional && (keyed || scope !== 'read')
    schema.response = {
      ...schema.response,
      400: schema.response?.[400] ?? error('A parameter or body the route does not accept (CW_ERR_VALIDATION); the message names it.'),
      ...(checked && keyed ? { 401: error('No key, or an unknown one (CW_ERR_UNAUTHORIZED).') } : {}),
      ...(checked ? { 403: error(`The key lacks the "${scope}" scope (CW_ERR_FORBIDDEN).`) } : {}),
      500: error('A bug in the host; the log has the details.')
    }
  }
}

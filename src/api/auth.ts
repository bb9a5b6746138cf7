import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Actor } from '../audit/log.js'
import type { ApiKeyConfig, ApiScope } from '../config/schema.js'
import { ForbiddenError, UnauthorizedError } from '../core/errors.js'

/** Routes anyone may call, API keys or not. */
export const PUBLIC_ROUTES = new Set(['/healthz'])

/** Who is calling: the key's name and scopes. Without configured keys, an anonymous reader. */
export interface ApiPrincipal {
  name: string
  scopes: readonly ApiScope[]
  /** True when no API keys are configured (reads are open; control is not). */
  anonymous: boolean
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: ApiPrincipal | null
  }
  interface FastifyContextConfig {
    /** Scope the route needs (default `read`). */
    scope?: ApiScope
    /** `optional`: a missing or unknown key is not refused here; the route answers for an unidentified caller (principal null). */
    auth?: 'optional'
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest()
const ANONYMOUS: ApiPrincipal = { name: 'anonymous', scopes: ['read'], anonymous: true }

/**
 * An `onRequest` hook that identifies the caller by `Authorization: Bearer <key>` on every route except
 * {@link PUBLIC_ROUTES} (`UnauthorizedError`, 401, without a known key). Keys are compared as SHA-256 digests with
 * `timingSafeEqual`, against every key, so the time taken says nothing about which key (or how much of
 * it) matched. With no keys configured the caller is an anonymous reader (the API listens on 127.0.0.1
 * by default); control always needs a key with the `control` scope.
 */
export function bearerAuth (apiKeys: readonly ApiKeyConfig[]) {
  const keys = apiKeys.map(k => ({ digest: digest(k.key), principal: { name: k.name, scopes: k.scopes, anonymous: false } }))
  // Synchronous (callback style): no promise per request on the hot routes.
  return function authenticate (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
    try {
      identify(request, reply)
      done()
    } catch (err) {
      done(err as Error)
    }
  }

  function identify (request: FastifyRequest, reply: FastifyReply): void {
    request.principal = null
    if (PUBLIC_ROUTES.has(request.routeOptions.url ?? '')) return
    if (keys.length === 0) {
      request.principal = ANONYMOUS
      return
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')
    let found: ApiPrincipal | null = null
    if (match) {
      const given = digest(match[1]!)
      for (const key of keys) if (timingSafeEqual(given, key.digest)) found = key.principal
    }
    if (found === null && request.routeOptions.config?.auth === 'optional') return
    if (found === null) {
      reply.header('www-authenticate', 'Bearer realm="computewatch"')
      throw new UnauthorizedError(match ? 'unknown API key' : 'this API needs a key: send the header "Authorization: Bearer <key>" with a key from api.apiKeys')
    }
    request.principal = found
  }
}

/** The audit log's actor of a request: the API key by its configured name (`anonymous` without keys). */
export function actorOf (request: FastifyRequest): Actor {
  return { kind: 'api', key: request.principal?.name ?? 'anonymous' }
}

/**
 * A `preHandler` hook (synchronous): passes `ForbiddenError` (403) on unless the caller's key has the
 * route's scope (`config.scope`, default `read`).
 */
export function requireScope (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
  const principal = request.principal
  if (principal === null) return done() // public route, or optional auth without a known key
  const scope = request.routeOptions.config?.scope ?? 'read'
  if (principal.scopes.includes(scope)) return done()
  done(new ForbiddenError(principal.anonymous
    ? `this needs an API key with the "${scope}" scope: add one to api.apiKeys ({ "name", "key", "scopes": ["read", "${scope}"] })`
    : `the API key "${principal.name}" lacks the "${scope}" scope`))
}

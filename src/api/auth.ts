import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** Routes anyone may call, API keys or not. */
export const PUBLIC_ROUTES = new Set(['/healthz'])

const digest = (value: string): Buffer => createHash('sha256').update(value).digest()

/**
 * An `onRequest` hook that demands `Authorization: Bearer <key>` with one of `apiKeys` on every route
 * except {@link PUBLIC_ROUTES}. Keys are compared as SHA-256 digests with `timingSafeEqual`, against
 * every key, so the time taken says nothing about which key (or how much of it) matched.
 * With no keys configured, the hook lets everything through (the API listens on 127.0.0.1 by default).
 */
export function bearerAuth (apiKeys: readonly string[]) {
  const keys = apiKeys.map(digest)
  return async function authenticate (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (keys.length === 0 || PUBLIC_ROUTES.has(request.routeOptions.url ?? '')) return
    const header = request.headers.authorization ?? ''
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    let ok = false
    if (match) {
      const given = digest(match[1]!)
      for (const key of keys) ok = timingSafeEqual(given, key) || ok
    }
    if (!ok) {
      await reply.code(401).header('www-authenticate', 'Bearer realm="computewatch"').send({
        statusCode: 401,
        code: 'CW_ERR_UNAUTHORIZED',
        error: 'Unauthorized',
        message: match ? 'unknown API key' : 'this API needs a key: send the header "Authorization: Bearer <key>" with a key from api.apiKeys'
      })
    }
  }
}

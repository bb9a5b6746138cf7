import { existsSync } from 'node:fs'
import { join } from 'node:path'
import helmet from '@fastify/helmet'
import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsync } from 'fastify'

/**
 * The status page at `/` and its bundles at `/assets/…`, from the built folder (`dist/page`). The page
 * itself needs no key — it asks for one and reads `/api/v1` with it, like any other client.
 *
 * - Bundles have content hashes: cached for a year (`immutable`); `index.html` is revalidated each time.
 * - Served pre-compressed (brotli, gzip) as the build wrote them; nothing is compressed per request.
 * - Security headers (helmet) on these routes only: a Content-Security-Policy with scripts and styles
 *   from this origin alone (no inline script), connections to this origin, no framing
 *   (`frame-ancestors 'none'`, `X-Frame-Options: DENY`); `X-Content-Type-Options: nosniff`;
 *   `Referrer-Policy: no-referrer`.
 */
export const pageRoutes: FastifyPluginAsync<{ folder: string | undefined }> = async (app, { folder }) => {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"]
      }
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Served over plain HTTP on a LAN as often as behind TLS: HSTS is the TLS proxy's to set.
    strictTransportSecurity: false
  })
  if (folder === undefined || !existsSync(join(folder, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) => {
      return await reply.code(503).type('text/plain; charset=utf-8').send('The status page is not built: run "npm run build" (npm ci does it). The API is at /api/v1/instances.\n')
    })
    return
  }
  await app.register(fastifyStatic, {
    root: folder,
    preCompressed: true,
    index: ['index.html'],
    wildcard: false,
    cacheControl: false,
    etag: true,
    lastModified: true,
    allowedPath: (path) => path === '/' || path === '/index.html' || path.startsWith('/assets/'),
    setHeaders: (res, path) => {
      res.setHeader('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache')
    }
  })
}

import { readFile } from 'node:fs/promises'
import t from 'tap'
import * as errors from '../../src/core/errors.js'

t.test('every error code is documented in the README', async t => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
  for (const code of errors.ERROR_CODES) t.match(readme, `\`${code}\``, `${code} in README.md`)
})

t.test('every error class carries a code from the catalogue and an HTTP status', async t => {
  const instances = [
    new errors.HostError('x'), new errors.ConfigError(['a: b']), new errors.ProviderError('x'), new errors.ProviderAuthError('x'),
    new errors.ProviderApiError('TORecharge', '余额不足', 'AutoDL /x'), new errors.ProviderHttpError('x', 502),
    new errors.ProviderTimeoutError('x'), new errors.ProviderResponseError('x'), new errors.NotSupportedError('powerOn', 'nezha'),
    new errors.NotFoundError('x')
  ]
  for (const e of instances.slice(1)) {
    t.ok((errors.ERROR_CODES as readonly string[]).includes(e.code), `${e.name} has a catalogued code`)
    t.ok(e.statusCode >= 400 && e.statusCode < 600)
    t.ok(e instanceof errors.HostError && e instanceof Error)
  }
  t.equal(new errors.ProviderApiError('TORecharge', '余额不足', 'AutoDL /x').message, 'AutoDL /x: TORecharge (余额不足)')
  t.equal(new errors.NotSupportedError('powerOn', 'nezha').message, 'powerOn is not supported by nezha')
  t.equal(new errors.ConfigError(['a: b', 'c: d']).message, 'invalid configuration:\n  - a: b\n  - c: d')
  t.same(errors.describeError('plain'), { code: 'CW_ERR_INTERNAL', message: 'plain' })
})

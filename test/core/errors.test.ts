import { readFile } from 'node:fs/promises'
import t from 'tap'
import * as errors from '../../src/core/errors.js'

/** One instance of every error class the module exports; a new class without a sample fails the test below. */
const SAMPLES: Record<string, () => errors.HostError> = {
  ConfigError: () => new errors.ConfigError(['a: b']),
  ProviderError: () => new errors.ProviderError('x'),
  ProviderAuthError: () => new errors.ProviderAuthError('x'),
  ProviderApiError: () => new errors.ProviderApiError('TORecharge', '余额不足', 'AutoDL /x'),
  ProviderHttpError: () => new errors.ProviderHttpError('x', 502),
  ProviderTimeoutError: () => new errors.ProviderTimeoutError('x'),
  ProviderResponseError: () => new errors.ProviderResponseError('x'),
  ProviderUnavailableError: () => new errors.ProviderUnavailableError('x'),
  NotSupportedError: () => new errors.NotSupportedError('powerOn', 'nezha'),
  NotFoundError: () => new errors.NotFoundError('x'),
  UnauthorizedError: () => new errors.UnauthorizedError('x'),
  ForbiddenError: () => new errors.ForbiddenError('x'),
  ConflictError: () => new errors.ConflictError('x'),
  BusyError: () => new errors.BusyError('x'),
  RequestValidationError: () => new errors.RequestValidationError('x'),
  StoreError: () => new errors.StoreError('x'),
  TooManyAttemptsError: () => new errors.TooManyAttemptsError('x', new Date(), 'per-user')
}

/** Codes in the catalogue that no class throws: a status, and what describeError() calls an unknown error. */
const NOT_THROWN = [errors.NOT_POLLED_YET, errors.describeError(new Error('bug')).code]

const classes = Object.entries(errors).filter((e): e is [string, typeof errors.HostError] =>
  typeof e[1] === 'function' && e[1].prototype instanceof errors.HostError)

t.test('error classes ↔ ERROR_CODES: every class has a catalogued code and a status, every code a class', async t => {
  t.same(classes.map(([name]) => name).sort(), Object.keys(SAMPLES).sort(), 'a sample of every exported error class')
  const thrown = new Set<string>()
  for (const [name, make] of Object.entries(SAMPLES)) {
    const e = make()
    t.equal(e.name, name)
    t.ok((errors.ERROR_CODES as readonly string[]).includes(e.code), `${name} has a catalogued code (${e.code})`)
    t.ok(e.statusCode >= 400 && e.statusCode < 600, `${name} has an HTTP status`)
    t.ok(errors.isHostError(e) && e instanceof Error)
    thrown.add(e.code)
  }
  t.same([...errors.ERROR_CODES].sort(), [...new Set([...thrown, ...NOT_THROWN])].sort(), 'no code without a class (or a documented reason)')
})

t.test('ERROR_CODES ↔ README: the README table lists exactly the catalogue', async t => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
  const section = readme.slice(readme.indexOf('## Error codes'), readme.indexOf('\n## ', readme.indexOf('## Error codes') + 1))
  const documented = [...section.matchAll(/^\| `(CW_ERR_[A-Z_]+)` \|/gm)].map(m => m[1])
  t.same(documented.sort(), [...errors.ERROR_CODES].sort())
})

t.test('messages say what happened', async t => {
  t.equal(new errors.ProviderApiError('TORecharge', '余额不足', 'AutoDL /x').message, 'AutoDL /x: TORecharge (余额不足)')
  t.equal(new errors.NotSupportedError('powerOn', 'nezha').message, 'powerOn is not supported by nezha')
  t.equal(new errors.ConfigError(['a: b', 'c: d']).message, 'invalid configuration:\n  - a: b\n  - c: d')
  t.same(errors.describeError('plain'), { code: 'CW_ERR_INTERNAL', message: 'plain' })
})

import type { Test } from 'tap'
import { Aggregator } from '../../src/core/aggregator.js'
import { instanceSchema, INSTANCE_STATES, type Instance } from '../../src/core/instance.js'
import type { Provider } from '../../src/core/provider.js'
import { createCheckAjv } from '../../src/core/validation.js'
import { captureLog, type CapturedLog } from '../helpers/log.js'

/** How a subject's credentials behave when they stop working. */
export type Expiry =
  /** Credentials that log in: expire them at the simulator; a call must re-authenticate exactly once. */
  | { kind: 'relogin'; expire: () => void; logins: () => number }
  /** Static credentials (API keys, pasted tokens): a provider with wrong ones must fail with an auth error. */
  | { kind: 'static'; wrongCredentials: () => Provider }

/** How a subject's status words behave. */
export type Words =
  /** The simulator serves this word, which the provider does not know: it maps to `state` (default `unknown`), word kept. */
  | { unknown: string; state?: Instance['state'] }
  /** The provider derives its words itself (no status words upstream): every word is one of these. */
  | { closed: string[] }

/** One provider against its simulator, started fresh for each check. */
export interface ContractEnv {
  provider: Provider
  type: string
  /** Values that must never appear in any output: credentials and access secrets in the simulator's payloads. */
  secrets: () => Promise<string[]>
  words: Words
  expiry: Expiry
  /** The next list call hangs (no answer at all). */
  hang: () => void
  /** The next list call gets an HTML page instead of JSON. */
  garbage: () => void
  captured: CapturedLog
}

export interface ContractSubject {
  name: string
  /** The provider type it exercises (the coverage check reads it without starting anything). */
  type: string
  setup: (t: Test, captured: CapturedLog) => Promise<Omit<ContractEnv, 'type'>>
}

const validInstance = createCheckAjv().compile<Instance>(instanceSchema)

function aggregatorFor (env: ContractEnv, pollTimeoutMs = 2000): Aggregator {
  return new Aggregator({ pollIntervalMs: 3600_000, pollTimeoutMs, log: env.captured.log, secrets: env.captured.secrets })
}

/**
 * The checks every provider must pass (libcloud's TestCaseMixin, @keyv/test-suite): run on each built-in
 * provider and on the example plugin, each against its simulator.
 */
export function runProviderContract (t: Test, subject: ContractSubject): void {
  const setup = async (t: Test): Promise<ContractEnv> => ({ ...await subject.setup(t, captureLog()), type: subject.type })

  t.test(`${subject.name}: every instance validates against the Instance schema`, async t => {
    const env = await setup(t)
    const aggregator = aggregatorFor(env)
    await aggregator.add({ id: 'contract', type: env.type, provider: env.provider, log: env.captured.log })
    const [status] = await aggregator.refresh()
    t.match(status, { ok: true, error: null })
    t.ok(aggregator.snapshot.instances.length > 0, 'the simulator serves instances')
    for (const instance of aggregator.snapshot.instances) {
      t.ok(validInstance(instance), `${instance.id} is a valid Instance${validInstance.errors ? `: ${JSON.stringify(validInstance.errors[0])}` : ''}`)
    }
    await aggregator.stop()
  })

  t.test(`${subject.name}: provider words map to states; an unknown word is kept`, async t => {
    const env = await setup(t)
    const instances = await env.provider.listInstances()
    t.ok(instances.every(i => (INSTANCE_STATES as readonly string[]).includes(i.state)), 'every state is a normalized state')
    if ('unknown' in env.words) {
      const word = env.words.unknown
      const odd = instances.find(i => i.providerState === word)
      t.ok(odd, `an instance with the simulator's unknown word "${word}"`)
      t.equal(odd?.state, env.words.state ?? 'unknown', `"${word}" maps to ${env.words.state ?? 'unknown'}, the word kept in providerState`)
    } else {
      const allowed = env.words.closed
      t.ok(instances.every(i => allowed.includes(i.providerState)), `every providerState is one of ${allowed.join(', ')}`)
    }
  })

  t.test(`${subject.name}: expired credentials`, async t => {
    const env = await setup(t)
    if (env.expiry.kind === 'relogin') {
      const { expire, logins } = env.expiry
      await env.provider.authenticate()
      await env.provider.listInstances()
      const before = logins()
      t.ok(before >= 1, 'logged in')
      expire()
      const after = await Promise.all([env.provider.listInstances(), env.provider.listInstances()])
      t.ok(after.every(list => list.length > 0), 'the calls succeed after re-authenticating')
      t.equal(logins(), before + 1, 'exactly one re-authentication for concurrent calls')
    } else {
      const wrong = env.expiry.wrongCredentials()
      const err = await (async () => { await wrong.authenticate(); return await wrong.listInstances() })().catch(e => e)
      t.equal(err?.code, 'CW_ERR_PROVIDER_AUTH', `static credentials that are refused give an auth error (${err?.message})`)
    }
  })

  t.test(`${subject.name}: verbs the capabilities deny reject with the not-supported error (501); the others do not`, async t => {
    const env = await setup(t)
    const [target] = await env.provider.listInstances()
    const { capabilities } = env.provider
    const attempts: Array<[string, boolean, () => Promise<void>]> = [
      ['powerOn (gpu)', capabilities.powerOn, () => env.provider.powerOn(target!.id, { mode: 'gpu' })],
      ['powerOn (no_gpu)', capabilities.powerOn && capabilities.noGpuMode, () => env.provider.powerOn(target!.id, { mode: 'no_gpu' })],
      ['powerOff', capabilities.powerOff, () => env.provider.powerOff(target!.id)]
    ]
    for (const [verb, supported, call] of attempts) {
      const err = await call().then(() => null, e => e)
      if (supported) t.not(err?.code, 'CW_ERR_NOT_SUPPORTED', `${verb} is supported`)
      else t.match(err, { code: 'CW_ERR_NOT_SUPPORTED', statusCode: 501 }, `${verb} is not supported`)
    }
  })

  t.test(`${subject.name}: no secret from the simulator's payloads appears in any output`, async t => {
    const env = await setup(t)
    const aggregator = aggregatorFor(env)
    await aggregator.add({ id: 'contract', type: env.type, provider: env.provider, log: env.captured.log })
    await aggregator.refresh()
    env.garbage()
    await aggregator.refresh()
    const output = [JSON.stringify(aggregator.snapshot), ...env.captured.lines].join('\n')
    const secrets = await env.secrets()
    t.ok(secrets.length > 0, 'the simulator has secrets to leak')
    for (const secret of secrets) t.notOk(output.includes(secret), `"${secret.slice(0, 6)}…" appears nowhere`)
    await aggregator.stop()
  })

  t.test(`${subject.name}: a hang or garbage is a provider error, never a crash; the last good data stays, stale`, async t => {
    const env = await setup(t)
    const aggregator = aggregatorFor(env, 500)
    await aggregator.add({ id: 'contract', type: env.type, provider: env.provider, log: env.captured.log })
    await aggregator.refresh()
    const good = aggregator.snapshot.instances.length
    env.hang()
    const [timedOut] = await aggregator.refresh()
    t.equal(timedOut?.error?.code, 'CW_ERR_PROVIDER_TIMEOUT')
    env.garbage()
    const [garbled] = await aggregator.refresh()
    t.equal(garbled?.ok, false)
    t.match(garbled?.error?.code, /^CW_ERR_PROVIDER/, `garbage is a provider error (${garbled?.error?.code}: ${garbled?.error?.message})`)
    t.equal(aggregator.snapshot.instances.length, good)
    t.ok(aggregator.snapshot.instances.every(i => i.stale), 'kept, marked stale')
    // The next polls succeed again (up to three: the short poll timeout of this test can run out on a loaded machine).
    let [recovered] = await aggregator.refresh()
    for (let poll = 1; poll < 3 && recovered?.ok !== true; poll++) [recovered] = await aggregator.refresh()
    t.equal(recovered?.ok, true, 'and it recovers')
    await aggregator.stop()
  })
}

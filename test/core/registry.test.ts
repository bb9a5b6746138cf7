import t from 'tap'
import { createRegistry } from '../../src/core/registry.js'
import { builtinProviders } from '../../providers/index.js'

const create = () => { throw new Error('unused') }
const configSchema = { type: 'object', additionalProperties: false, properties: {} } as const

t.test('createRegistry() indexes definitions by type and rejects broken or duplicate ones', async t => {
  const registry = createRegistry(builtinProviders)
  t.same(registry.types(), ['autodl', 'nezha', 'computeshare', 'pterodactyl', 'boardmate', 'onecloud'])
  t.equal(registry.get('autodl')?.type, 'autodl')
  t.equal(registry.get('nope'), undefined)
  t.throws(() => createRegistry([{ type: 'a', description: '', configSchema, create }, { type: 'a', description: '', configSchema, create }]),
    /provider type "a" is registered twice/)
  t.throws(() => createRegistry([{ type: '', description: '', configSchema, create }]), /definition #0 has no type/)
  t.throws(() => createRegistry([{ type: 'b', description: '', configSchema } as never]), /"b" has no create\(\)/)
  t.throws(() => createRegistry([{ type: 'c', description: '', configSchema, create, secretFields: ['a.b'] }]), /"c" declares the secret field "a\.b", which is not an identifier/)
  t.same(registry.secretFields(), ['passwordSha1', 'root_password', 'jupyter_token', 'ssh_command'], 'the types\' declared secret fields')
})

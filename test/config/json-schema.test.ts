import { readFile } from 'node:fs/promises'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import t from 'tap'
import { builtinProviders } from '../../providers/index.js'
import { ALERT_RULES } from '../../src/alerts/rules/index.js'
import { configFileSchema } from '../../src/config/json-schema.js'
import { CHANNEL_TYPES } from '../../src/notify/channels.js'

const read = async (file: string): Promise<any> => JSON.parse(await readFile(new URL(`../../${file}`, import.meta.url), 'utf8'))
const published = await read('config.schema.json')
const example = await read('config.example.json')

/** The published schema, checked the way an editor (a standard draft-07 validator, no ajv-errors) does. */
function editorCheck (): ReturnType<Ajv['compile']> {
  const ajv = new Ajv({ allErrors: true, strict: false })
  addFormats.default(ajv)
  return ajv.compile(published)
}

t.test('config.schema.json is what the host\'s schema generates (npm run config-schema writes it)', async t => {
  t.same(published, JSON.parse(JSON.stringify(configFileSchema(builtinProviders, ALERT_RULES, CHANNEL_TYPES))))
})

t.test('config.example.json names it in $schema, and it accepts the example', async t => {
  t.equal(example.$schema, './config.schema.json')
  const validate = editorCheck()
  t.ok(validate(example), JSON.stringify(validate.errors))
})

t.test('it checks each provider type\'s own options, so an editor flags a typo in an entry', async t => {
  const validate = editorCheck()
  const withEntry = (entry: object): object => ({ providers: [entry] })
  t.ok(validate(withEntry({ id: 'lab', type: 'autodl', phone: '13800000000', password: 'x' })))
  t.notOk(validate(withEntry({ id: 'lab', type: 'autodl', phone: '13800000000', pasword: 'x' })), 'unknown key of an AutoDL entry')
  t.notOk(validate(withEntry({ id: 'lab', type: 'autodl', phone: '13800000000', password: 'x', token: 'abcdefghijk' })), 'two ways to log in')
  t.notOk(validate(withEntry({ id: 'srv', type: 'nezha' })), 'a Nezha entry without its options')
  t.ok(validate(withEntry({ id: 'p', type: './my-plugin.js', anything: 1 })), 'a plugin\'s options are its own business')
  t.notOk(validate({ providers: [], pollIntervalSeconds: 1 }), 'host settings are checked too')
  t.same(published.properties.providers.items.properties.type.examples, builtinProviders.map(d => d.type))
  t.notOk(JSON.stringify(published).includes('errorMessage'), 'no keyword only the host understands')
})

// Writes config.schema.json (the config file's JSON Schema for editors) from the built host: `npm run config-schema`.
// test/config/json-schema.test.ts fails when the committed file differs from what this writes.
import { writeFile } from 'node:fs/promises'
import { builtinProviders } from '../dist/providers/index.js'
import { ALERT_RULES } from '../dist/src/alerts/rules/index.js'
import { CHANNEL_TYPES } from '../dist/src/notify/channels.js'
import { configFileSchema } from '../dist/src/config/json-schema.js'

const target = new URL('../config.schema.json', import.meta.url)
await writeFile(target, `${JSON.stringify(configFileSchema(builtinProviders, ALERT_RULES, CHANNEL_TYPES), null, 2)}\n`)
process.stdout.write(`wrote ${target.pathname}\n`)

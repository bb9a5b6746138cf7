import type { AnyProviderDefinition } from '../src/index.js'
import autodl from './autodl/index.js'
import boardmate from './boardmate/index.js'
import computeshare from './computeshare/index.js'
import nezha from './nezha/index.js'
import onecloud from './onecloud/index.js'
import pterodactyl from './pterodactyl/index.js'

/** Built-in provider types. Adding one is one line here (see README "Writing a provider"). */
export const builtinProviders: readonly AnyProviderDefinition[] = [
  autodl,
  nezha,
  computeshare,
  pterodactyl,
  boardmate,
  onecloud
]

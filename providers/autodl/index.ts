import { defineProvider, HOST_API_VERSION } from '../../src/index.js'
import { AutodlProvider } from './provider.js'
import { autodlConfigSchema, normalizeAutodlOptions, sha1Hex } from './schema.js'

/** AutoDL GPU containers through the web console API (reference/providers.md §1). */
export default defineProvider({
  type: 'autodl',
  hostApiVersion: HOST_API_VERSION,
  polling: { minimumSeconds: 15, reason: 'each poll lists every page of the account; AutoDL captchas or locks accounts that look like bots' },
  description: 'AutoDL GPU containers (web console API): host GPUs idle/total, release dates, power on/off, no-GPU mode',
  configSchema: autodlConfigSchema,
  normalizeConfig: normalizeAutodlOptions,
  create: (config, deps) => new AutodlProvider(config, deps),
  // The password's SHA-1 logs in as well as the password; the others are the instance's access secrets
  // in every `POST /api/v1/instance` answer (seed 000).
  secretFields: ['passwordSha1', 'root_password', 'jupyter_token', 'ssh_command'],
  // Seed 000: each Telegram user adds their own AutoDL login with /user and /password.
  chatAccounts: {
    hashPassword: sha1Hex,
    options: ({ phone, phoneArea, passwordHash, baseUrl }) => ({ phone, phoneArea, passwordSha1: passwordHash, ...(baseUrl === null ? {} : { baseUrl }) })
  }
})

export { AutodlProvider } from './provider.js'
export { toInstance, STATE_MAP, RELEASE_AFTER_STOP_DAYS } from './map.js'
export { sha1Hex, normalizeAutodlOptions, type AutodlConfig, type AutodlOptions } from './schema.js'

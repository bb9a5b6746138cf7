import type { Messages } from './zh.js'

/** English bot messages. */
export const en: Messages = {
  refused: 'Sorry, this bot only serves its configured users.\nYour Telegram user id: {{userId}}\nTo get access, ask the admin to add it to telegram.allowedUserIds.',
  help: {
    intro: 'computewatch: your AutoDL (and other) instances and idle GPUs.',
    accountsOff: '(/user and /password are turned off on this bot.)'
  },
  commands: {
    gpuvalid: 'Idle GPUs on each instance\'s host, state, release countdown',
    status: 'Whether each provider account works, instance count, last success',
    user: 'Set your AutoDL phone: /user <phone> [country code]',
    password: 'Set your AutoDL password: /password <password> (the message is deleted at once)',
    forget: 'Delete the account you set with /user and /password',
    help: 'Show the commands'
  },
  user: {
    usage: 'Usage: /user <phone> [country code], e.g. /user 13800000000 or /user 91234567 +852',
    invalid: 'The phone must be 5–20 digits, the country code like +86.',
    saved: 'Phone {{phone}} saved. Now send /password <password>.',
    savedComplete: 'Phone {{phone}} saved; logging in with the stored password…'
  },
  password: {
    usage: 'Usage: /password <password> (the message is deleted at once)',
    deleted: 'I deleted the message with your password; only its SHA-1 is stored.',
    deleteFailed: '⚠️ I could not delete the message with your password: please delete it yourself. Only its SHA-1 is stored.',
    needPhone: 'Password saved. Now send /user <phone>.',
    group: '⚠️ Send account details only in a private chat with the bot. This password was NOT stored; it was posted in a group, so consider changing it.'
  },
  account: {
    privateOnly: 'Set up your account in a private chat with the bot.',
    disabled: 'Adding your own account is turned off on this bot.',
    checking: 'Logging in and reading your instances…',
    ok: '✅ Account {{provider}} added: {{count}} instances. Send /gpuvalid to see them.',
    failed: '❌ Account {{provider}} saved, but it cannot be read right now: {{error}}',
    forgotten: 'Your account settings are deleted; {{provider}} is no longer watched.',
    none: 'You have not set up an account.'
  },
  gpuvalid: {
    empty: 'No instances to show.',
    header: '[{{provider}}]',
    stale: '({{provider}}: the latest poll failed; showing its last good data)',
    idle: 'GPUs idle {{idle}}/{{total}}',
    release: 'released in {{left}}',
    releasePassed: 'release time passed',
    price: '¥{{price}}/h',
    lastSeen: 'last seen {{ago}}',
    neverSeen: 'never reported',
    expires: 'expires in {{left}}',
    expired: 'expired',
    cpu: 'CPU {{value}}%',
    memory: 'mem {{used}}/{{total}}',
    gpuLoad: 'GPU {{value}}%'
  },
  state: {
    running: 'running',
    starting: 'starting',
    stopping: 'stopping',
    stopped: 'stopped',
    offline: 'offline',
    error: 'error',
    unknown: 'unknown ({{word}})'
  },
  status: {
    empty: 'No provider accounts are configured.',
    ok: '✅ {{id}} ({{type}}) · {{count}} instances · last success {{last}}',
    failing: '❌ {{id}} ({{type}}) · {{count}} instances · last success {{last}}\n    {{error}}',
    never: 'never',
    pending: '⏳ {{id}} ({{type}}) · first poll running',
    readOnly: 'read-only',
    account: '    account: {{details}}'
  },
  error: {
    generic: 'Something went wrong; please try again later.'
  }
}

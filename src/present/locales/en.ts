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
    balance: 'Balance of each account, running cost per hour, how long it lasts',
    status: 'Whether each provider account works, instance count, last success',
    user: 'Set your AutoDL phone: /user <phone> [country code]',
    password: 'Set your AutoDL password: /password <password> (the message is deleted at once)',
    forget: 'Delete the account you set with /user and /password',
    cost: 'Running cost (estimate): /cost [today|week|month]',
    on: 'Power on with GPU: /on <instance>',
    nogpu: 'Power on in no-GPU mode: /nogpu <instance>',
    off: 'Power off: /off <instance>',
    keepalive: 'Keep alive (no-GPU on/off resets the release countdown): /keepalive <instance>',
    watch: 'Tell me (or power on) when a GPU frees up: /watch <instance> [auto [6h]]',
    watches: 'Your watches',
    unwatch: 'Stop a watch: /unwatch <instance>',
    mute: 'Silence alerts: /mute <provider|instance> <duration, e.g. 2h>',
    unmute: 'End a mute: /unmute <provider|instance>',
    audit: 'Who did what (operators)',
    lang: 'Language of replies and alerts: /lang zh|en|auto',
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
    ok_one: '✅ Account {{provider}} added: {{count}} instance. Send /gpuvalid to see it.',
    failed: '❌ Account {{provider}} saved, but it cannot be read right now: {{error}}',
    forgotten: 'Your account settings are deleted; {{provider}} is no longer watched.',
    none: 'You have not set up an account.',
    tooMany: 'Too many login attempts ({{why}}). Nothing was saved; try again after {{at}}.',
    perUser: 'at most 5 an hour per user',
    perPhone: 'at most 1 every 5 minutes per phone number'
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
    ok_one: '✅ {{id}} ({{type}}) · {{count}} instance · last success {{last}}',
    failing: '❌ {{id}} ({{type}}) · {{count}} instances · last success {{last}}\n    {{error}}',
    failing_one: '❌ {{id}} ({{type}}) · {{count}} instance · last success {{last}}\n    {{error}}',
    never: 'never',
    pending: '⏳ {{id}} ({{type}}) · first poll running',
    readOnly: 'read-only',
    balance: '    balance: {{balance}}',
    account: '    account: {{details}}'
  },
  power: {
    usage: 'Usage: {{command}} <instance name or id prefix>',
    none: 'Nothing to {{verb}} now.',
    noMatch: 'No instance name or id matches "{{query}}".',
    choose: 'Choose the instance to {{verb}}:',
    notFit: 'Cannot {{verb}} {{name}}: it is {{state}} now.',
    notSupported: '{{name}}\'s provider ({{type}}) cannot {{verb}}.',
    notOperator: 'You may read but not act. Ask the admin to add your id ({{userId}}) to telegram.operatorUserIds.',
    notYours: 'Only the user who asked can confirm this.',
    expired: 'This button has expired; send the command again.',
    used: 'This confirmation was used already; nothing was done again. Send the command again if you mean it.',
    noGpu: '⚠️ The host of {{name}} has {{idle}} of {{total}} GPUs idle and the instance needs {{requested}}: a power-on with GPU would fail now.',
    verbs: { on: 'power on', nogpu: 'power on in no-GPU mode', off: 'power off', keepalive: 'keep alive' }
  },
  confirm: {
    budget: '💴 This month ({{month}}): {{spent}} of the {{limit}} budget (estimate){{reached}}',
    budgetEntry: '💴 {{provider}} this month ({{month}}): {{spent}} of its {{limit}} budget (estimate){{reached}}',
    budgetReached: ' — reached: automatic power-ons are refused, manual ones are not',
    on: '⚡ Power on {{instance}} with GPU: {{gpu}}, billed at ¥{{price}}/h. Confirm?',
    onNoPrice: '⚡ Power on {{instance}} with GPU: {{gpu}} (price unknown). Confirm?',
    nogpu: '⚡ Power on {{instance}} in no-GPU mode: no GPU, billed at the provider\'s no-GPU rate (not ¥{{price}}/h). Confirm?',
    nogpuNoPrice: '⚡ Power on {{instance}} in no-GPU mode: no GPU, billed at the provider\'s no-GPU rate. Confirm?',
    off: '⏻ Power off {{instance}}: billing stops; if it stays off, {{release}}. Confirm?',
    offNoRelease: '⏻ Power off {{instance}}: billing stops. Confirm?',
    keepalive: '♻️ Keep {{instance}} alive: power on in no-GPU mode, then off, so the release countdown starts again (a few minutes of no-GPU billing). Confirm?',
    releaseAfter: 'it is released in {{days}} days',
    yes: '✅ Confirm',
    no: '✖ Cancel',
    cancelled: 'Cancelled; nothing was done.',
    noGpuButton: 'No-GPU mode',
    watchButton: 'Watch for a free GPU'
  },
  progress: {
    requested: '⏳ {{verb}} {{instance}}: requested…',
    state: '⏳ {{verb}} {{instance}}: {{step}} (now: {{state}})',
    succeeded: '✅ {{verb}} {{instance}}: done, {{state}} (took {{took}})',
    keptAlive: '✅ Kept {{instance}} alive: new release time {{releaseAt}}',
    failed: '❌ {{verb}} {{instance}} failed: {{error}}'
  },
  watch: {
    usage: 'Usage: /watch <instance> [auto [duration, default 6h]]',
    noGpuFacts: '{{name}} has no idle-GPU figures to watch.',
    confirmAuto: '🤖 Within {{window}}, as soon as the host of {{name}} has {{requested}} GPU(s) idle, power it on with GPU (¥{{price}}/h). Confirm?',
    confirmAutoNoPrice: '🤖 Within {{window}}, as soon as the host of {{name}} has {{requested}} GPU(s) idle, power it on with GPU. Confirm?',
    set: '👀 Watching the host of {{name}} (idle {{idle}}/{{total}} now, needs {{requested}}). I will tell you when a GPU frees up.',
    setAuto: '🤖 Watching the host of {{name}}; it will be powered on by itself if a GPU frees up before {{until}} (idle {{idle}}/{{total}} now).',
    freeNow: 'GPUs are free right now:',
    list: 'Your watches:',
    none: 'You are not watching any instance.',
    item: '• {{name}} ({{provider}}){{mode}}',
    autoUntil: 'powers on by itself until {{until}}',
    removed: 'Stopped watching {{name}}.',
    notWatching: 'You are not watching {{name}}.',
    powerOn: 'Power on',
    ambiguous: '"{{query}}" matches several instances; choose one:'
  },
  mute: {
    usage: 'Usage: /mute <provider|instance> <duration, e.g. 30m, 2h, 1d>',
    set: '🔕 Alerts of {{target}} are silenced until {{until}}.',
    list: 'Silenced alerts:',
    none: 'No alerts are silenced.',
    item: '• {{target}} until {{until}} ({{by}})',
    removed: '🔔 {{count}} mute(s) ended.',
    notMuted: 'Alerts of {{target}} are not silenced.'
  },
  balance: {
    none: 'No account reports a balance.',
    line: '💰 {{provider}}: {{balance}}',
    burning: '💰 {{provider}}: {{balance}} · {{running}} running at {{cost}}/h · lasts about {{left}} (estimate)',
    unpriced: ' ({{count}} without a price, not counted)'
  },
  cost: {
    usage: 'Usage: /cost [today|week|month]',
    periods: { today: 'Today', week: 'Last 7 days', month: 'This month' },
    head: '💴 {{period}} ({{from}} to {{to}}): {{total}}',
    line: '• {{provider}} / {{name}}: {{yuan}}',
    none: '(nothing ran)',
    note: 'Estimated from the running time seen at each poll × price per hour; not the provider\'s bill.'
  },
  lang: {
    usage: 'Usage: /lang zh|en|auto (auto: follow your Telegram language)',
    current: 'Language: {{language}}. Change it with /lang zh|en|auto.',
    set: 'OK, I will answer you in {{language}} from now on, alerts too.',
    auto: 'OK, I will follow your Telegram language (now: {{language}}).',
    names: { zh: '中文', en: 'English' }
  },
  events: {
    gpu: { freed: 'GPU idle' },
    release: { approaching: 'Release approaching' },
    expiry: { approaching: 'Rental expiring' },
    provider: { failing: 'Provider failing', recovered: 'Provider recovered' },
    instance: { offline: 'Instance offline', online: 'Instance online' },
    action: { finished: 'Action finished' },
    cost: { daily: 'Daily cost' },
    budget: { reached: 'Budget reached' },
    balance: { low: 'Low balance' },
    keepalive: { succeeded: 'Kept alive', failed: 'Keep-alive failed' }
  },
  group: {
    title: '{{title}} ({{count}})',
    more: '…and {{count}} more',
    footer: 'Sent by computewatch'
  },
  alert: {
    dailyCost: '💴 Running cost on {{day}} (estimate): {{total}}\n{{lines}}',
    budgetReached: '🧾 This month ({{month}}) the observed cost {{spent}} reached the budget of {{limit}} (estimate): automatic power-ons are refused.',
    budgetReachedEntry: '🧾 {{provider}}: this month ({{month}}) the observed cost {{spent}} reached its budget of {{limit}} (estimate): its automatic power-ons are refused.',
    balanceLow: '💰 {{provider}} balance {{balance}} is below {{threshold}}.',
    balanceLowBurning: '💰 {{provider}} balance {{balance}} is below {{threshold}}; at the current {{cost}}/h it lasts about {{left}} (estimate).',
    gpuFreed: '🟢 The host of {{name}} has idle GPUs: {{idle}}/{{total}} idle, {{requested}} needed.',
    gpuAutoStarting: '🤖 The host of {{name}} has idle GPUs ({{idle}}/{{total}}): powering it on with GPU…',
    gpuAutoDone: '✅ {{name}} was powered on by its watch and is running. The watch has ended.',
    gpuAutoFailed: '❌ Powering {{name}} on by its watch failed: {{error}}. Still watching until {{until}}.',
    watchEnded: '⌛ The automatic watch of {{name}} has ended; no GPU freed up in time.',
    watchGone: '{{name}} is no longer listed; its watch was removed.',
    release: '⏳ {{name}} ({{provider}}) is shut down and will be released in {{left}} ({{releaseAt}}); its data will be wiped.',
    releasePassed: '⚠️ {{name}} ({{provider}}) is past its release time ({{releaseAt}}) and may be released already.',
    keepAliveButton: 'Keep alive',
    powerOnButton: 'Power on',
    keepAliveOk: '♻️ Kept {{name}} ({{provider}}) alive: new release time {{releaseAt}}.',
    keepAliveFailed: '❌ Keeping {{name}} ({{provider}}) alive failed at "{{step}}": {{error}}. No automatic retry for {{cooldown}}.',
    providerFailing: '❌ {{provider}} ({{type}}) failed {{failures}} polls in a row: {{error}}',
    providerLogin: '🔑 {{provider}} ({{type}}) cannot log in: {{error}}',
    providerRecovered: '✅ {{provider}} ({{type}}) works again: {{count}} instances.',
    providerRecovered_one: '✅ {{provider}} ({{type}}) works again: {{count}} instance.',
    offline: '🔴 {{name}} ({{provider}}) went offline{{lastSeen}}.',
    lastSeen: '; last seen {{at}}',
    online: '🟢 {{name}} ({{provider}}) is back online.',
    expiry: '⏳ {{name}} ({{provider}}) expires in {{left}} ({{expiresAt}}).',
    expired: '⚠️ {{name}} ({{provider}}) has expired ({{expiresAt}}).',
    actionFinished: '{{kind}} {{name}} ({{provider}}): {{status}}'
  },
  audit: {
    empty: 'The audit log is empty.',
    line: '{{at}} · {{actor}} · {{action}} {{target}} · {{result}}{{detail}}'
  },
  error: {
    generic: 'Something went wrong; please try again later.',
    store: 'Could not save this: the host cannot write its storage (disk full or read-only). Nothing was changed; the operator has been told in the log.'
  }
}

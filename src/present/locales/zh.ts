/** Chinese bot messages (the default). Keys must match `en.ts` (checked by a test). */
export const zh = {
  refused: '抱歉，这个机器人只为指定的用户服务。\n你的 Telegram 用户 ID：{{userId}}\n如需使用，请让管理员把它加入配置 telegram.allowedUserIds。',
  help: {
    intro: 'computewatch：查看 AutoDL 等平台的实例与空闲 GPU。',
    accountsOff: '（本机器人未开放 /user 与 /password。）'
  },
  commands: {
    gpuvalid: '每个实例所在主机的空闲 GPU、状态与释放倒计时',
    balance: '各账号余额、运行中的每小时费用与预计可用时长',
    status: '各平台账号是否正常、实例数与上次成功时间',
    user: '设置你的 AutoDL 手机号：/user <手机号> [区号]',
    password: '设置你的 AutoDL 密码：/password <密码>（消息会被立即删除）',
    forget: '删除你用 /user 和 /password 设置的账号',
    cost: '运行费用（估算）：/cost [today|week|month]',
    on: '有卡开机：/on <实例> [for 3h]',
    nogpu: '无卡模式开机：/nogpu <实例> [for 3h]',
    timer: '定时关机：/timer [<实例> 2h|off]',
    market: '当前 GPU 市场：/market <GPU 型号> [地区代码]',
    history: '主机空闲 GPU 的历史与最佳时段：/history <实例>',
    off: '关机：/off <实例>',
    keepalive: '保活（无卡开关机，重置释放倒计时）：/keepalive <实例>',
    watch: '等待 GPU 空闲后提醒或自动开机：/watch <实例> [auto [6h]]',
    watches: '查看你的等待',
    unwatch: '取消等待：/unwatch <实例>',
    mute: '暂停提醒：/mute <平台|实例> <时长，如 2h>',
    unmute: '恢复提醒：/unmute <平台|实例>',
    audit: '操作记录（操作员）',
    lang: '界面与提醒的语言：/lang zh|en|auto',
    help: '显示命令列表'
  },
  user: {
    usage: '用法：/user <手机号> [区号]，例如 /user 13800000000 或 /user 91234567 +852',
    invalid: '手机号只能包含 5–20 位数字，区号形如 +86。',
    saved: '已保存手机号 {{phone}}。请发送 /password <密码> 完成设置。',
    savedComplete: '已保存手机号 {{phone}}，正在用已保存的密码登录…'
  },
  password: {
    usage: '用法：/password <密码>（消息会被立即删除）',
    deleted: '已删除你发送密码的那条消息；只保存了密码的 SHA-1。',
    deleteFailed: '⚠️ 无法删除你发送密码的那条消息，请手动删除它。只保存了密码的 SHA-1。',
    needPhone: '已保存密码。请再发送 /user <手机号> 完成设置。',
    group: '⚠️ 请只在与机器人的私聊中发送账号信息。没有保存这条密码；由于它已在群里出现，建议修改密码。'
  },
  account: {
    privateOnly: '请在与机器人的私聊中设置账号。',
    disabled: '本机器人未开放用户自助添加账号。',
    checking: '正在登录并读取实例…',
    ok: '✅ 账号 {{provider}} 已加入：{{count}} 个实例。发送 /gpuvalid 查看。',
    failed: '❌ 账号 {{provider}} 已保存，但暂时无法读取：{{error}}',
    forgotten: '已删除你的账号设置，{{provider}} 不再被监控。',
    none: '你还没有设置账号。',
    tooMany: '登录尝试过多（{{why}}）。未保存任何内容，请在 {{at}} 之后再试。',
    perUser: '每个用户每小时最多 5 次',
    perPhone: '每个手机号每 5 分钟最多 1 次'
  },
  gpuvalid: {
    empty: '没有可显示的实例。',
    header: '【{{provider}}】',
    stale: '（{{provider}} 本次读取失败，显示的是上次成功的数据）',
    idle: '空闲 GPU {{idle}}/{{total}}',
    release: '{{left}}后释放',
    releasePassed: '已过释放时间',
    price: '¥{{price}}/时',
    lastSeen: '最后在线 {{ago}}',
    neverSeen: '从未上报',
    expires: '{{left}}后到期',
    expired: '已到期',
    stopsIn: '⏱ {{left}}后定时关机',
    cpu: 'CPU {{value}}%',
    memory: '内存 {{used}}/{{total}}',
    gpuLoad: 'GPU {{value}}%'
  },
  state: {
    running: '运行中',
    starting: '开机中',
    stopping: '关机中',
    stopped: '已关机',
    offline: '离线',
    error: '异常',
    unknown: '未知（{{word}}）'
  },
  status: {
    empty: '没有配置任何平台账号。',
    ok: '✅ {{id}}（{{type}}）· {{count}} 个实例 · 上次成功 {{last}}',
    failing: '❌ {{id}}（{{type}}）· {{count}} 个实例 · 上次成功 {{last}}\n    {{error}}',
    never: '从未',
    pending: '⏳ {{id}}（{{type}}）· 首次读取中',
    readOnly: '只读',
    balance: '    余额：{{balance}}',
    account: '    账户：{{details}}'
  },
  power: {
    usage: '用法：{{command}} <实例名或 ID 前缀>',
    usageTimer: '用法：{{command}} <实例名或 ID 前缀> [for <时长，如 3h>]',
    none: '没有可以{{verb}}的实例。',
    noMatch: '没有名称或 ID 匹配“{{query}}”的实例。',
    choose: '选择要{{verb}}的实例：',
    notFit: '{{name}} 现在是“{{state}}”，不能{{verb}}。',
    notSupported: '{{name}} 所在的平台（{{type}}）不支持{{verb}}。',
    notOperator: '你可以查看，但不能操作。请让管理员把你的 ID（{{userId}}）加入 telegram.operatorUserIds。',
    notYours: '只有发起者可以确认这个操作。',
    expired: '这个按钮已过期，请重新发送命令。',
    used: '这个确认已经用过了，没有再次执行。如确需操作，请重新发送命令。',
    noGpu: '⚠️ {{name}} 所在主机只有 {{idle}}/{{total}} 块 GPU 空闲，实例需要 {{requested}} 块，现在有卡开机会失败。',
    verbs: { on: '开机', nogpu: '无卡开机', off: '关机', keepalive: '保活' }
  },
  confirm: {
    budget: '💴 本月（{{month}}）已用 {{spent}} / 总预算 {{limit}}（估算）{{reached}}',
    budgetEntry: '💴 {{provider}} 本月（{{month}}）已用 {{spent}} / 预算 {{limit}}（估算）{{reached}}',
    budgetReached: '，已达到：自动开机会被拒绝，手动开机不受限',
    on: '⚡ 有卡开机 {{instance}}：{{gpu}}，按 ¥{{price}}/时计费。确认吗？',
    onNoPrice: '⚡ 有卡开机 {{instance}}：{{gpu}}（价格未知）。确认吗？',
    nogpu: '⚡ 无卡模式开机 {{instance}}：不带 GPU，按平台的无卡价格计费（不是 ¥{{price}}/时）。确认吗？',
    nogpuNoPrice: '⚡ 无卡模式开机 {{instance}}：不带 GPU，按平台的无卡价格计费。确认吗？',
    off: '⏻ 关机 {{instance}}：停止计费；若一直关机，{{release}}。确认吗？',
    offNoRelease: '⏻ 关机 {{instance}}：停止计费。确认吗？',
    keepalive: '♻️ 保活 {{instance}}：无卡开机再关机，让释放倒计时重新开始（会产生几分钟的无卡费用）。确认吗？',
    releaseAfter: '将在 {{days}} 天后释放',
    yes: '✅ 确认',
    no: '✖ 取消',
    cancelled: '已取消，没有执行任何操作。',
    noGpuButton: '无卡开机',
    watchButton: '等待空闲 GPU',
    stopAfter: '⏱ 定时关机：{{after}}后（{{at}}）自动关机{{cost}}。',
    stopAfterCost: '，按标价约 {{cost}}（估算）'
  },
  history: {
    usage: '用法：/history <实例名或 ID 前缀>',
    none: '还没有 {{name}} 的历史：它的平台不统计主机 GPU，或还没轮询过。',
    summary: '📈 {{name}}：最近 30 天（观察了 {{observed}}），它的主机有 {{percent}}% 的时间至少有 {{need}} 张空闲 GPU。',
    best: '最佳时段：{{from}}–{{to}}。',
    anyHour: '一天中各时段没有明显差别。',
    never: '观察期间从未有这么多空闲 GPU。'
  },
  market: {
    usage: '用法：/market <GPU 型号> [地区代码]，例如 /market RTX 4090 west-B west-C（AutoDL 的 region_sign）。',
    noRegions: '要查哪些地区？alerts.market 中没有关注这个型号的地区。',
    notListed: '{{regions}} 的市场上没有 {{gpu}}。',
    counts: '🛒 {{gpu}} 在 {{regions}}：{{idle}}/{{total}} 张 GPU 空闲（刚刚读取）。',
    noHosts: '没有主机有空闲 GPU。',
    failed: '❌ 无法读取市场：{{error}}'
  },
  timer: {
    usage: '用法：/timer 列出定时关机；/timer <实例> <时长，如 2h> 让运行中的实例在这段时间后关机；/timer <实例> off 取消定时。',
    badDuration: '“{{text}}”不是 1 分钟到 7 天之间的时长；请写如 30m、3h、1h30m、2d。',
    none: '没有定时关机。',
    list: '定时关机：',
    item: '⏱ {{name}}（{{provider}}）· {{stopAt}} 关机（{{left}}后）',
    set: '⏱ {{name}} 将在 {{stopAt}}（{{left}}后）关机。',
    extended: '⏱ {{name}} 改为 {{stopAt}}（{{left}}后）关机。',
    cancelled: '已取消 {{name}} 的定时关机；它继续运行。',
    failed: '❌ {{error}}'
  },
  progress: {
    requested: '⏳ {{verb}} {{instance}}：已发出请求…',
    state: '⏳ {{verb}} {{instance}}：{{step}}（当前：{{state}}）',
    succeeded: '✅ {{verb}} {{instance}}：完成，{{state}}（用时 {{took}}）',
    keptAlive: '✅ 已保活 {{instance}}：新的释放时间 {{releaseAt}}',
    failed: '❌ {{verb}} {{instance}} 失败：{{error}}'
  },
  watch: {
    usage: '用法：/watch <实例> [auto [时长，默认 6h]]',
    noGpuFacts: '{{name}} 没有 GPU 空闲数据，无法等待。',
    confirmAuto: '🤖 在 {{window}} 内，{{name}} 所在主机一有 {{requested}} 块 GPU 空闲就自动有卡开机（¥{{price}}/时）。确认吗？',
    confirmAutoNoPrice: '🤖 在 {{window}} 内，{{name}} 所在主机一有 {{requested}} 块 GPU 空闲就自动有卡开机。确认吗？',
    set: '👀 正在等待 {{name}} 所在主机的 GPU（现在空闲 {{idle}}/{{total}}，需要 {{requested}}）。有空闲时会通知你。',
    setAuto: '🤖 正在等待 {{name}} 所在主机的 GPU，{{until}} 前有空闲就自动开机（现在空闲 {{idle}}/{{total}}）。',
    freeNow: '现在就有空闲 GPU：',
    list: '你的等待：',
    none: '你没有等待中的实例。',
    item: '• {{name}}（{{provider}}）{{mode}}',
    autoUntil: '自动开机，至 {{until}}',
    removed: '已取消对 {{name}} 的等待。',
    notWatching: '你没有在等待 {{name}}。',
    powerOn: '开机',
    ambiguous: '“{{query}}”匹配多个实例，请选择：'
  },
  mute: {
    usage: '用法：/mute <平台|实例> <时长，如 30m、2h、1d>',
    set: '🔕 {{target}} 的提醒已暂停，至 {{until}}。',
    list: '暂停中的提醒：',
    none: '没有暂停中的提醒。',
    item: '• {{target}} 至 {{until}}（{{by}}）',
    removed: '🔔 已恢复 {{count}} 项提醒。',
    notMuted: '{{target}} 没有被暂停提醒。'
  },
  balance: {
    none: '没有能读取余额的账号。',
    line: '💰 {{provider}}：{{balance}}',
    burning: '💰 {{provider}}：{{balance}} · 运行中 {{running}} 台，{{cost}}/时 · 约可用 {{left}}（估算）',
    unpriced: '（{{count}} 台无价格，未计入）'
  },
  cost: {
    usage: '用法：/cost [today|week|month]',
    periods: { today: '今天', week: '最近 7 天', month: '本月' },
    head: '💴 {{period}}（{{from}} 至 {{to}}）：{{total}}',
    line: '• {{provider}} / {{name}}：{{yuan}}',
    none: '（没有运行记录）',
    note: '按每次轮询观察到的运行时间 × 单价估算，不是平台账单。'
  },
  lang: {
    usage: '用法：/lang zh|en|auto（auto：跟随 Telegram 的语言设置）',
    current: '当前语言：{{language}}。用 /lang zh|en|auto 更改。',
    set: '好的，之后用{{language}}回复你，提醒也一样。',
    auto: '好的，之后跟随你的 Telegram 语言设置（当前：{{language}}）。',
    names: { zh: '中文', en: 'English' }
  },
  events: {
    gpu: { freed: 'GPU 空闲' },
    release: { approaching: '实例即将释放' },
    expiry: { approaching: '租期即将到期' },
    provider: { failing: '平台账号异常', recovered: '平台账号恢复' },
    instance: { offline: '实例离线', online: '实例上线' },
    action: { finished: '操作完成' },
    cost: { daily: '每日费用' },
    budget: { reached: '预算已用完' },
    balance: { low: '余额不足' },
    keepalive: { succeeded: '保活成功', failed: '保活失败' },
    timer: { warning: '定时关机', stopped: '已定时关机', failed: '定时关机失败' },
    market: { available: '市场有空闲 GPU' }
  },
  group: {
    title: '{{title}}（{{count}} 条）',
    more: '……另有 {{count}} 条',
    footer: '来自 computewatch'
  },
  alert: {
    dailyCost: '💴 {{day}} 运行费用（估算）：{{total}}\n{{lines}}',
    budgetReached: '🧾 本月（{{month}}）观察到的费用 {{spent}} 已达到总预算 {{limit}}（估算）：自动开机将被拒绝。',
    budgetReachedEntry: '🧾 {{provider}} 本月（{{month}}）观察到的费用 {{spent}} 已达到预算 {{limit}}（估算）：它的自动开机将被拒绝。',
    balanceLow: '💰 {{provider}} 余额 {{balance}}，低于 {{threshold}}。',
    balanceLowBurning: '💰 {{provider}} 余额 {{balance}}，低于 {{threshold}}；按当前 {{cost}}/时 的用量约还能用 {{left}}（估算）。',
    gpuFreed: '🟢 {{name}} 所在主机有空闲 GPU 了：空闲 {{idle}}/{{total}}，需要 {{requested}}。',
    gpuAutoStarting: '🤖 {{name}} 所在主机有空闲 GPU（{{idle}}/{{total}}），正在自动有卡开机…',
    gpuAutoDone: '✅ {{name}} 已自动开机，正在运行。这个等待已结束。',
    gpuAutoFailed: '❌ 自动开机 {{name}} 失败：{{error}}。继续等待到 {{until}}。',
    watchEnded: '⌛ 对 {{name}} 的自动开机等待已到期，期间没有空闲 GPU。',
    watchGone: '{{name}} 已不在列表中，对它的等待已取消。',
    release: '⏳ {{name}}（{{provider}}）已关机，{{left}}后释放（{{releaseAt}}），数据会被清除。',
    releasePassed: '⚠️ {{name}}（{{provider}}）已过释放时间（{{releaseAt}}），可能已被释放。',
    keepAliveButton: '保活',
    powerOnButton: '开机',
    keepAliveOk: '♻️ 已自动保活 {{name}}（{{provider}}）：新的释放时间 {{releaseAt}}。',
    keepAliveFailed: '❌ 自动保活 {{name}}（{{provider}}）失败，在“{{step}}”这一步：{{error}}。{{cooldown}}内不会再自动尝试。',
    providerFailing: '❌ {{provider}}（{{type}}）连续 {{failures}} 次读取失败：{{error}}',
    providerLogin: '🔑 {{provider}}（{{type}}）登录失败：{{error}}',
    providerRecovered: '✅ {{provider}}（{{type}}）已恢复，{{count}} 个实例。',
    offline: '🔴 {{name}}（{{provider}}）离线了{{lastSeen}}。',
    lastSeen: '，最后在线 {{at}}',
    online: '🟢 {{name}}（{{provider}}）恢复在线。',
    expiry: '⏳ {{name}}（{{provider}}）{{left}}后到期（{{expiresAt}}）。',
    expired: '⚠️ {{name}}（{{provider}}）已到期（{{expiresAt}}）。',
    actionFinished: '{{kind}} {{name}}（{{provider}}）：{{status}}',
    marketAvailable: '🛒 {{gpu}}：{{regions}} 有 {{idle}}/{{total}} 张空闲 GPU（关注 ≥ {{min}} 张）。',
    marketHosts: '有空闲 GPU 的主机（空闲 · 每卡每小时）：\n{{lines}}',
    timerWarning: '⏱ {{name}}（{{provider}}）将在 {{left}} 后（{{stopAt}}）按定时关机。',
    timerStopped: '⏹ {{name}}（{{provider}}）已按定时关机。',
    timerFailed: '❌ 定时关机未能关闭 {{name}}（{{provider}}）：{{error}}。它可能仍在运行并计费，请检查。',
    extendButton: '延长 {{hours}} 小时',
    stopNowButton: '立即关机'
  },
  audit: {
    empty: '审计日志为空。',
    line: '{{at}} · {{actor}} · {{action}} {{target}} · {{result}}{{detail}}'
  },
  error: {
    generic: '出错了，请稍后再试。',
    store: '无法保存：主机无法写入存储（磁盘已满或只读）。未做任何更改；已在日志中告知管理员。'
  }
}

/** The catalogue's shape: every key of `zh`, plus optional plural forms (`key_one`) where a language has them. */
type WithPlurals<T> = { [K in keyof T]: T[K] extends string ? string : WithPlurals<T[K]> } & { [plural: `${string}_one`]: string }
export type Messages = WithPlurals<typeof zh>

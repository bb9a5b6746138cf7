/** Chinese bot messages (the default). Keys must match `en.ts` (checked by a test). */
export const zh = {
  refused: '抱歉，这个机器人只为指定的用户服务。\n你的 Telegram 用户 ID：{{userId}}\n如需使用，请让管理员把它加入配置 telegram.allowedUserIds。',
  help: {
    intro: 'computewatch：查看 AutoDL 等平台的实例与空闲 GPU。',
    accountsOff: '（本机器人未开放 /user 与 /password。）'
  },
  commands: {
    gpuvalid: '每个实例所在主机的空闲 GPU、状态与释放倒计时',
    status: '各平台账号是否正常、实例数与上次成功时间',
    user: '设置你的 AutoDL 手机号：/user <手机号> [区号]',
    password: '设置你的 AutoDL 密码：/password <密码>（消息会被立即删除）',
    forget: '删除你用 /user 和 /password 设置的账号',
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
    none: '你还没有设置账号。'
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
    account: '    账户：{{details}}'
  },
  error: {
    generic: '出错了，请稍后再试。'
  }
}

export type Messages = typeof zh

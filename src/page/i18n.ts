/** The page's words in zh and en (i18next, as the host's own messages); the language follows the browser unless the viewer picks one. */
import i18next from 'i18next'
import type { InstanceState } from './types.js'

export type Language = 'zh' | 'en'

const en = {
  title: 'computewatch',
  updated: 'updated {n} ago',
  live: 'live',
  offline: 'reconnecting…',
  language: '中文',
  languageLabel: 'Language',
  filters: 'Filters',
  provider: 'Provider',
  type: 'Type',
  state: 'State',
  all: 'all',
  gpuIdle: 'GPU idle now',
  search: 'Search',
  searchPlaceholder: 'name, region, GPU, id',
  shown: '{shown} of {total} instances',
  none: 'No instance matches.',
  loading: 'Loading…',
  health: 'Providers',
  ok: 'ok',
  failing: 'failing',
  notPolled: 'not polled yet',
  lastSuccess: 'last success {when}',
  never: 'never',
  pollTook: 'poll {ms} ms',
  instances: '{n} instances',
  stale: 'stale: {error}',
  staleNoError: 'stale: last known data',
  gpu: 'GPU',
  hostGpus: 'host GPUs idle {idle}/{total}',
  canPowerOn: 'can power on with GPU now',
  noGpuFree: 'no GPU free for it',
  release: 'released in {left}',
  released: 'release date passed',
  expires: 'rental ends in {left}',
  stopsIn: 'stops in {left}',
  history: 'GPU history',
  historyCaption: 'Share of the time its host had at least {need} idle GPU(s), by weekday and hour, over the last 30 days',
  historySummary: '{percent}% of the observed time',
  historyBest: 'best hours {from}–{to}',
  historyNone: 'No history yet: its host\'s GPUs are counted from now on.',
  historyCell: '{day} {hour}: {value}',
  notObserved: 'not observed',
  weekdays: 'Mon Tue Wed Thu Fri Sat Sun',
  expired: 'rental ended',
  price: '¥{price}/h',
  lastSeen: 'seen {when}',
  cpu: 'CPU',
  memory: 'Memory',
  disk: 'Disk',
  gpuUse: 'GPU use',
  ago: '{d} ago',
  key: 'API key',
  keyPrompt: 'This host needs an API key to show its instances.',
  keyWrong: 'That key was refused: it is not one of this host\'s api.apiKeys.',
  keySubmit: 'Open',
  forgetKey: 'Forget key',
  readOnly: 'read-only',
  operator: 'operator: {name}',
  on: 'Power on',
  nogpu: 'No-GPU on',
  off: 'Power off',
  keepalive: 'Keep alive',
  confirm: 'Confirm',
  cancel: 'Cancel',
  close: 'Close',
  working: '{verb}: {step}',
  succeeded: '{verb}: done ({state})',
  failed: '{verb} failed: {error}',
  error: 'Error: {error}',
  states: { running: 'running', starting: 'starting', stopping: 'stopping', stopped: 'stopped', offline: 'offline', error: 'error', unknown: 'unknown' }
}

const zh: typeof en = {
  title: 'computewatch',
  updated: '{n}前更新',
  live: '实时',
  offline: '正在重连…',
  language: 'English',
  languageLabel: '语言',
  filters: '筛选',
  provider: '服务商',
  type: '类型',
  state: '状态',
  all: '全部',
  gpuIdle: '现在有空闲 GPU',
  search: '搜索',
  searchPlaceholder: '名称、地区、GPU、ID',
  shown: '显示 {shown} / {total} 个实例',
  none: '没有符合条件的实例。',
  loading: '加载中…',
  health: '服务商',
  ok: '正常',
  failing: '故障',
  notPolled: '尚未轮询',
  lastSuccess: '上次成功 {when}',
  never: '从未',
  pollTook: '轮询 {ms} 毫秒',
  instances: '{n} 个实例',
  stale: '数据过期：{error}',
  staleNoError: '数据过期：最后已知数据',
  gpu: 'GPU',
  hostGpus: '主机空闲 GPU {idle}/{total}',
  canPowerOn: '现在可以带 GPU 开机',
  noGpuFree: '没有可用的 GPU',
  release: '{left}后释放',
  released: '已过释放时间',
  expires: '{left}后到期',
  stopsIn: '{left}后定时关机',
  history: 'GPU 历史',
  historyCaption: '最近 30 天，按星期和小时，主机至少有 {need} 张空闲 GPU 的时间占比',
  historySummary: '观察时间的 {percent}%',
  historyBest: '最佳时段 {from}–{to}',
  historyNone: '还没有历史：从现在起记录主机的 GPU。',
  historyCell: '{day} {hour}：{value}',
  notObserved: '未观察',
  weekdays: '一 二 三 四 五 六 日',
  expired: '已到期',
  price: '¥{price}/小时',
  lastSeen: '最后在线 {when}',
  cpu: 'CPU',
  memory: '内存',
  disk: '磁盘',
  gpuUse: 'GPU 使用率',
  ago: '{d}前',
  key: 'API 密钥',
  keyPrompt: '此主机需要 API 密钥才能显示实例。',
  keyWrong: '密钥被拒绝：它不是此主机 api.apiKeys 中的密钥。',
  keySubmit: '打开',
  forgetKey: '忘记密钥',
  readOnly: '只读',
  operator: '操作员：{name}',
  on: '开机',
  nogpu: '无卡开机',
  off: '关机',
  keepalive: '保活',
  confirm: '确认',
  cancel: '取消',
  close: '关闭',
  working: '{verb}：{step}',
  succeeded: '{verb}：完成（{state}）',
  failed: '{verb}失败：{error}',
  error: '错误：{error}',
  states: { running: '运行中', starting: '开机中', stopping: '关机中', stopped: '已关机', offline: '离线', error: '错误', unknown: '未知' }
}

export type Words = typeof en
export type WordKey = Exclude<keyof Words, 'states'>
export const WORDS: Record<Language, Words> = { en, zh }

const STORED = 'computewatch.lang'

/** The viewer's choice, else the browser's first language (zh* → zh, else en). */
export function initialLanguage (): Language {
  const stored = localStorage.getItem(STORED)
  if (stored === 'zh' || stored === 'en') return stored
  return (navigator.languages?.[0] ?? navigator.language ?? 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en'
}

export function rememberLanguage (language: Language): void {
  localStorage.setItem(STORED, language)
}

const i18n = i18next.createInstance()
void i18n.init({
  resources: { en: { translation: en }, zh: { translation: zh } },
  lng: 'en',
  fallbackLng: 'en',
  initAsync: false, // the resources are bundled: ready at once
  interpolation: { escapeValue: false, prefix: '{', suffix: '}' }, // Preact escapes what it renders
  showSupportNotice: false
} as Parameters<typeof i18n.init>[0])
const translators = { en: i18n.getFixedT('en'), zh: i18n.getFixedT('zh') }

/** `key`'s words in `language` with `{name}` placeholders filled. */
export function translate (language: Language, key: WordKey | `states.${InstanceState}`, vars: Record<string, string | number> = {}): string {
  return translators[language](key, vars)
}

/**
 * The status page in a real browser: Debian's Chromium driven by playwright-core, against the demo's
 * simulators. Runs whenever a Chromium is found (CHROMIUM_PATH, else /usr/bin/chromium); without one,
 * it says so in one line and runs nothing. Screenshots go to .screenshots/ (git-ignored).
 */
import { existsSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { runDemo } from '../../src/demo/index.js'

const CHROMIUM = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => !!p && existsSync(p))
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SHOTS = join(ROOT, '.screenshots')
const CONTROL = 'demo-control-key-for-the-browser-test'
const READ = 'demo-read-key-for-the-browser-test'

if (!CHROMIUM) {
  t.plan(0, 'browser tests skipped: no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)')
} else {
  const { chromium } = await import('playwright-core')
  const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
  await mkdir(SHOTS, { recursive: true })
  const demo = await runDemo({ port: 0, controlKey: CONTROL, readKey: READ, transitionMs: 300, pollIntervalSeconds: 60 })
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
  })
  t.teardown(async () => { await browser.close(); await demo.stop() })
  const view = demo.host.aggregator.snapshot

  /** A fresh context (its own sessionStorage) and page; console errors and page errors are collected. */
  async function open (options: { locale?: string; width?: number; height?: number } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await browser.newContext({ locale: options.locale ?? 'en-US', viewport: { width: options.width ?? 1280, height: options.height ?? 900 }, timezoneId: 'Asia/Shanghai' })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('console', m => { if (m.type() === 'error') errors.push(m.text()) })
    page.on('pageerror', e => errors.push(e.message))
    return { context, page, errors }
  }
  async function signIn (page: Page, key: string): Promise<void> {
    await page.goto(`${demo.url}/`)
    await page.locator('#api-key').fill(key)
    await page.getByRole('button', { name: /^(Open|打开)$/ }).click()
    await page.locator('.card').first().waitFor()
  }
  const card = (page: Page, name: string) => page.locator('.card', { has: page.locator('h3', { hasText: name }) })
  // Browser-side expressions are strings: the tests are type-checked without the DOM library.
  async function axe (page: Page): Promise<Array<{ id: string; impact: string; nodes: number }>> {
    await page.evaluate(axeSource)
    const result = await page.evaluate('axe.run()') as { violations: Array<{ id: string; impact: string; nodes: unknown[] }> }
    return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }))
  }

  t.test('the key prompt: a wrong key is refused, the right one shows every instance with its numbers', async t => {
    const { context, page, errors } = await open()
    t.teardown(() => context.close())
    await page.goto(`${demo.url}/`)
    await page.locator('#api-key').fill('not-the-key-0123456789')
    await page.getByRole('button', { name: 'Open' }).click()
    await page.getByRole('alert').filter({ hasText: 'That key was refused' }).waitFor()
    await page.locator('#api-key').fill(CONTROL)
    await page.getByRole('button', { name: 'Open' }).click()
    await page.locator('.card').first().waitFor()
    t.equal(await page.locator('.card').count(), view.instances.length, 'one card per instance of the view')
    t.equal(await page.locator('section.provider').count(), view.providers.length)
    const a800 = card(page, 'a800-pretrain')
    t.match(await a800.innerText(), /A800-80GB × 4/)
    t.match(await a800.innerText(), /host GPUs idle 6\/8/)
    t.match(await a800.innerText(), /can power on with GPU now/, 'stopped, and 6 idle ≥ 4 requested')
    t.match(await a800.innerText(), /¥23\.20\/h/)
    t.match(await a800.innerText(), /released in 12d 2\dh/)
    const seed = await page.locator('.card .release.urgent').count()
    t.ok(seed >= 1, 'a release within 24 h is red (the seed instance, 18 h away)')
    t.notMatch(await card(page, 'llama-finetune').innerText(), /can power on/, 'running: no power-on mark')
    t.notMatch(await card(page, 'sd-webui').innerText(), /can power on/, 'no idle GPU: no mark')
    t.match(await card(page, 'gpu-box-4090').innerText(), /CPU/, 'live metrics as bars')
    t.equal(await page.evaluate('sessionStorage.getItem("computewatch.key")'), CONTROL, 'the key is kept for the tab')
    t.equal(await page.evaluate('document.cookie'), '', 'never in a cookie')
    t.notMatch(page.url(), CONTROL, 'never in the URL')
    await page.screenshot({ path: join(SHOTS, 'desktop-en.png'), fullPage: true })
    t.same(await axe(page), [], 'axe-core: no serious or critical violation')
    t.same(errors, [], 'no console error')
  })

  t.test('filters and search narrow the view and live in the URL', async t => {
    const { context, page, errors } = await open()
    t.teardown(() => context.close())
    await signIn(page, READ)
    await page.getByLabel('Provider', { exact: true }).selectOption('servers')
    t.match(page.url(), /\?provider=servers$/)
    t.equal(await page.locator('.card').count(), view.instances.filter(i => i.provider === 'servers').length)
    await page.getByLabel('Search').fill('gpu-box')
    t.equal(await page.locator('.card').count(), 1)
    t.match(page.url(), /provider=servers&q=gpu-box/)
    await page.reload()
    await page.locator('.card').first().waitFor()
    t.equal(await page.locator('.card').count(), 1, 'a shared URL shows the same view')
    t.equal(await page.getByLabel('Search').inputValue(), 'gpu-box')
    await page.goto(`${demo.url}/?gpuIdle=true`)
    await page.locator('.card').first().waitFor()
    const idle = view.instances.filter(i => i.gpu?.hostIdle != null && i.gpu.hostIdle >= (i.gpu.requested ?? 1)).length
    t.equal(await page.locator('.card').count(), idle, 'GPU idle now: the API\'s gpuIdle rule')
    t.same(errors, [])
  })

  t.test('a new snapshot appears without a reload; a reader sees no action buttons', async t => {
    const { context, page, errors } = await open()
    t.teardown(() => context.close())
    await signIn(page, READ)
    await page.evaluate('window.marker = 1')
    t.equal(await page.locator('.card button.act').count(), 0, 'read-only: no buttons')
    t.match(await page.locator('.who').innerText(), 'read-only')
    await page.locator('.dot.live').waitFor()
    demo.autodl.setHostIdle('a800x8nm02', 0)
    await demo.host.aggregator.refresh('demo')
    await card(page, 'a800-pretrain').filter({ hasText: 'host GPUs idle 0/8' }).waitFor({ timeout: 5000 })
    t.notMatch(await card(page, 'a800-pretrain').innerText(), /can power on/, 'the mark went with the GPUs')
    t.equal(await page.evaluate('window.marker'), 1, 'the same page: no reload')
    // A stop timer shows on its card as it is set, and goes when it is cancelled.
    const llama = demo.host.aggregator.snapshot.instances.find(i => i.name === 'llama-finetune')!
    const target = { provider: llama.provider, instanceId: llama.id, viewer: 'all' as const }
    await demo.host.timers.set(target, 2 * 3600_000 + 60_000, { kind: 'api', key: 'test' })
    await card(page, 'llama-finetune').locator('.stop-timer', { hasText: '⏱ stops in 2h' }).waitFor({ timeout: 5000 })
    await demo.host.timers.cancel(target, { kind: 'api', key: 'test' })
    await card(page, 'llama-finetune').locator('.stop-timer').waitFor({ state: 'detached', timeout: 5000 })
    t.same(errors, [])
  })

  t.test('an operator powers off through the confirm dialog and sees the result', async t => {
    const { context, page, errors } = await open()
    t.teardown(() => context.close())
    await signIn(page, CONTROL)
    const target = card(page, 'llama-finetune')
    await target.getByRole('button', { name: 'Power off' }).click()
    const dialog = page.getByRole('dialog', { name: 'Confirm' })
    await dialog.waitFor()
    t.match(await dialog.innerText(), /Power off .*llama-finetune: billing stops; if it stays off, it is released in 15 days/)
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await dialog.waitFor({ state: 'detached' })
    await target.getByRole('button', { name: 'Power off' }).click()
    await dialog.getByRole('button', { name: 'Confirm' }).click()
    await target.locator('.action-succeeded').waitFor({ timeout: 30_000 })
    t.match(await target.locator('.action').innerText(), /Power off: done \(stopped\)/)
    const audit = await demo.host.audit.list({ visible: () => true, limit: 10 })
    t.ok(audit.some(e => e.action === 'power-off' && e.result === 'succeeded' && e.actor.kind === 'api'), 'carried out by the action API, audited')
    t.same(errors, [])
  })

  t.test('zh from the browser\'s language, a switch to en; a 390 px phone has no horizontal scroll', async t => {
    const { context, page, errors } = await open({ locale: 'zh-CN', width: 390, height: 844 })
    t.teardown(() => context.close())
    await signIn(page, CONTROL)
    t.equal(await page.evaluate('document.documentElement.lang'), 'zh-CN')
    t.match(await page.locator('.filters').innerText(), /服务商/)
    t.match(await card(page, 'a800-pretrain').innerText(), /已关机/)
    // The GPU history opens as a week-by-hour heat map that fits the phone.
    await card(page, 'a800-pretrain').locator('summary', { hasText: 'GPU 历史' }).click()
    const heat = card(page, 'a800-pretrain').locator('table.heat-map')
    await heat.waitFor({ timeout: 5000 })
    t.equal(await heat.locator('tbody tr').count(), 7)
    t.equal(await heat.locator('tbody td').count(), 7 * 24)
    t.match(await card(page, 'a800-pretrain').locator('.heat-summary').innerText(), /^观察时间的 \d+%/)
    t.equal(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), true, 'no horizontal scroll at 390 px')
    await page.screenshot({ path: join(SHOTS, 'phone-zh.png') })
    t.same(await axe(page), [], 'axe-core on the phone layout in zh')
    await page.getByRole('button', { name: /^语言/ }).click()
    await page.locator('.filters', { hasText: 'Provider' }).waitFor()
    t.equal(await page.evaluate('document.documentElement.lang'), 'en')
    await page.screenshot({ path: join(SHOTS, 'phone-en.png') })
    const desktop = await open({ locale: 'zh-CN' })
    t.teardown(() => desktop.context.close())
    await signIn(desktop.page, CONTROL)
    await desktop.page.screenshot({ path: join(SHOTS, 'desktop-zh.png'), fullPage: true })
    t.same([...errors, ...desktop.errors], [])
  })
}

#!/usr/bin/env node
/**
 * Build the status page (src/page) into dist/page: one JS and one CSS bundle with content hashes
 * (served as immutable), index.html naming them, and a gzip and a brotli copy of each file (served
 * pre-compressed, so the host never compresses at request time). Prints the sizes; fails when the
 * JS + CSS sent gzipped exceed the budget.
 */
import { build } from 'esbuild'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const ROOT = new URL('..', import.meta.url).pathname
const OUT = join(ROOT, 'dist/page')
const BUDGET_GZIP_BYTES = 100 * 1024

await rm(OUT, { recursive: true, force: true })
await mkdir(join(OUT, 'assets'), { recursive: true })
const result = await build({
  entryPoints: { main: join(ROOT, 'src/page/main.tsx') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome109', 'firefox115', 'safari16'],
  outdir: join(OUT, 'assets'),
  entryNames: '[name]-[hash]',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning'
})
const outputs = Object.keys(result.metafile.outputs).map(f => join(ROOT, f))
const js = outputs.find(f => f.endsWith('.js'))
const css = outputs.find(f => f.endsWith('.css'))
if (!js || !css) throw new Error(`the page build made no ${js ? 'CSS' : 'JS'} bundle`)
const html = (await readFile(join(ROOT, 'src/page/index.html'), 'utf8')).replace('{{js}}', basename(js)).replace('{{css}}', basename(css))
await writeFile(join(OUT, 'index.html'), html)

let gzipped = 0
for (const file of [js, css, join(OUT, 'index.html')]) {
  const body = await readFile(file)
  const gz = gzipSync(body, { level: 9 })
  await writeFile(`${file}.gz`, gz)
  await writeFile(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }))
  if (file !== join(OUT, 'index.html')) gzipped += gz.length
  console.log(`page: ${file.slice(ROOT.length).padEnd(40)} ${(body.length / 1024).toFixed(1).padStart(6)} KB, gzip ${(gz.length / 1024).toFixed(1).padStart(5)} KB`)
}
if (gzipped > BUDGET_GZIP_BYTES) throw new Error(`the page's JS + CSS are ${(gzipped / 1024).toFixed(1)} KB gzipped, over the ${BUDGET_GZIP_BYTES / 1024} KB budget`)

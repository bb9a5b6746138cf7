#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=4
import { setFlagsFromString } from 'node:v8'
import { Command, InvalidArgumentError } from 'commander'
import { ConfigError } from './core/errors.js'
import type { Logger } from './core/logger.js'
import { builtinProviders } from '../providers/index.js'
import { loadConfigFile } from './config/load.js'
import { defaultRegistry, parseOptions, runFromConfigFile } from './run.js'
import { packageVersion } from './version.js'

/**
 * How far V8 lets the old generation grow past what survived the last full garbage collection: 50 %
 * here, where V8 by itself goes up to 4× when collections are cheap. At 10,000 instances (200
 * accounts × 50) the host's peak RSS is about 175 MiB instead of 320 with the same poll cycle; 25 %
 * made the cycle about a third slower (`npm run bench`, README "Performance"). Set at run time because
 * `NODE_OPTIONS` refuses this flag; V8 reads it at every collection. A `--heap-growing-percent` given
 * to node itself wins.
 */
if (!process.execArgv.some(arg => arg.startsWith('--heap-growing-percent'))) setFlagsFromString('--heap-growing-percent=50')

/** Exit code for a bad or missing configuration. */
const EXIT_CONFIG = 2

function configPath (option: string | undefined): string {
  return option ?? process.env['COMPUTEWATCH_CONFIG'] ?? './config.json'
}

function port (value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0-65535')
  return n
}

/**
 * Stop cleanly on SIGINT/SIGTERM (a second signal exits at once). A stray rejection or exception is
 * logged and the host keeps serving: one failing piece must not take the others down.
 */
function supervise (log: Logger, stop: () => Promise<void>): void {
  process.on('unhandledRejection', (reason) => log.error({ err: { message: String((reason as Error)?.message ?? reason) } }, 'unhandled rejection'))
  process.on('uncaughtException', (err) => log.error({ err: { message: err.message, stack: err.stack } }, 'uncaught exception'))
  let stopping = false
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130)
    stopping = true
    process.stderr.write(`computewatch: ${signal}, stopping\n`)
    stop().then(() => process.exit(0), () => process.exit(1))
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
}

function fail (err: unknown): never {
  // A bad config, or a store the host must not start on (damaged, or held by another host).
  if (err instanceof ConfigError || (err instanceof Error && (err as { code?: unknown }).code === 'CW_ERR_STORE')) {
    process.stderr.write(`computewatch: ${err.message}\n`)
    process.exit(EXIT_CONFIG)
  }
  const e = err as NodeJS.ErrnoException
  const hint = e.code === 'EADDRINUSE' ? ' (the port is taken: change api.port, or --port for the demo)' : ''
  process.stderr.write(`computewatch: ${e.message ?? String(err)}${hint}\n`)
  process.exit(1)
}

const program = new Command()
  .name('computewatch')
  .description('Watch rented and self-hosted compute (AutoDL first) across providers: status API, Prometheus metrics, Telegram bot.')
  .version(packageVersion(), '-v, --version')
  .option('-c, --config <path>', 'config file (default: $COMPUTEWATCH_CONFIG or ./config.json)')
  .addHelpText('after', `
Provider types: ${builtinProviders.map(p => p.type).join(', ')}
Examples:
  computewatch --config config.json     run the host
  computewatch demo                     simulated AutoDL account, no credentials needed
  computewatch check --config config.json
  computewatch status --url http://127.0.0.1:8080   (key in $COMPUTEWATCH_KEY)`)
  .action(async (options: { config?: string }) => {
    try {
      const { host, log } = await runFromConfigFile(configPath(options.config))
      supervise(log, () => host.stop())
    } catch (err) { fail(err) }
  })

program.command('demo')
  .description('start a simulator of every provider and the host against them; prints the URLs')
  .option('-p, --port <port>', 'status API port (0 = any free port)', port, 8080)
  .action(async (options: { port: number }) => {
    try {
      const { runDemo } = await import('./demo/index.js')
      const demo = await runDemo({ port: options.port })
      const { providers, instances } = demo.host.aggregator.snapshot
      const auth = `-H "Authorization: Bearer ${demo.controlKey}"`
      process.stdout.write([
        `computewatch demo: open ${demo.url}/ (the status page; it asks for the key below)`,
        'simulated accounts of every provider: no real credentials, nothing is billed',
        `  API key     ${demo.controlKey}   (scopes read and control; the page keeps it for the tab only)`,
        `  instances   ${demo.url}/api/v1/instances   (${instances.length} from ${providers.length} providers)`,
        `  idle GPUs   ${demo.url}/api/v1/instances?gpuIdle=true`,
        `  providers   ${demo.url}/api/v1/providers`,
        `  metrics     ${demo.url}/metrics`,
        `  OpenAPI     ${demo.url}/api/v1/openapi.json`,
        ...demo.simulators.map(s => `  simulator   ${s.url}   (${s.name})`),
        `  try         curl ${auth} ${demo.url}/api/v1/instances?gpuIdle=true`,
        `              curl ${auth} -X POST ${demo.url}/api/v1/instances/demo/<id>/power-off`,
        'Press Ctrl-C to stop.', ''
      ].join('\n'))
      supervise(demo.log, () => demo.stop())
    } catch (err) { fail(err) }
  })

program.command('check')
  .description('validate the config file as start does and exit (0 = the host would start, 2 = it would not); --online also logs in with each entry once')
  .option('-c, --config <path>', 'config file (default: $COMPUTEWATCH_CONFIG or ./config.json)')
  .option('--online', 'also log in with each provider entry once (respecting the login back-off); 1 if any fails', false)
  .action(async (options: { config?: string; online: boolean }, command: Command) => {
    const path = configPath(options.config ?? command.parent?.opts<{ config?: string }>().config)
    try {
      const registry = defaultRegistry()
      const config = await loadConfigFile(path, parseOptions(registry))
      const { checkConfig, checkOnline } = await import('./commands/check.js')
      process.stdout.write(`${await checkConfig(path, config, registry)}\n`)
      if (options.online) process.exit(await checkOnline(config, registry, process.stdout))
    } catch (err) { fail(err) }
  })

program.command('status')
  .description('print the view of a running host: each provider entry, then its instances (exit 0 = every provider ok, 1 = one failing or the host unreachable)')
  .option('--url <url>', 'the host\'s API (default: $COMPUTEWATCH_URL or http://127.0.0.1:8080)')
  .option('--key <key>', 'an API key with the read scope (default: $COMPUTEWATCH_KEY; the variable keeps it out of the process list)')
  .option('--json', 'print the API\'s JSON (GET /api/v1/instances) instead of tables', false)
  .action(async (options: { url?: string; key?: string; json: boolean }) => {
    const url = options.url ?? process.env['COMPUTEWATCH_URL'] ?? 'http://127.0.0.1:8080'
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) program.error(`computewatch status: --url "${url}" is not an http(s) URL such as http://127.0.0.1:8080`, { exitCode: 1 })
    const parsed = new URL(url)
    // Never echo credentials: the message names the host only.
    if (parsed.username || parsed.password) program.error(`computewatch status: --url ${parsed.protocol}//${parsed.host} carries a user or password; the API takes a key: pass --key or set COMPUTEWATCH_KEY`, { exitCode: 1 })
    const { runStatus } = await import('./commands/status.js')
    process.exitCode = await runStatus({ url, key: options.key ?? process.env['COMPUTEWATCH_KEY'] ?? null, json: options.json, output: process.stdout, errors: process.stderr })
  })

// Commands provider types declare (computeshare's create-sandbox): `computewatch <type> <command> --provider <id>`.
for (const definition of builtinProviders) {
  if (!definition.commands?.length) continue
  const group = program.command(definition.type).description(`${definition.type}-specific operations`)
  for (const declared of definition.commands) {
    const command = group.command(declared.name)
      .description(declared.description)
      .requiredOption('--provider <id>', `the ${definition.type} entry in the config`)
      .option('-c, --config <path>', 'config file (default: $COMPUTEWATCH_CONFIG or ./config.json)')
      .option('-y, --yes', 'do not ask for confirmation', false)
    for (const option of declared.options ?? []) {
      if (option.required) command.requiredOption(option.flags, option.description)
      else command.option(option.flags, option.description)
    }
    command.action(async (options: { provider: string; config?: string; yes: boolean } & Record<string, unknown>) => {
      try {
        const registry = defaultRegistry()
        const config = await loadConfigFile(configPath(options.config ?? program.opts<{ config?: string }>().config), parseOptions(registry))
        const { runProviderCommand } = await import('./commands/provider-command.js')
        const { provider, config: _path, yes, ...own } = options
        process.exit(await runProviderCommand({ config, registry, type: definition.type, command: declared.name, providerId: provider, options: own, yes, output: process.stdout, input: process.stdin }))
      } catch (err) { fail(err) }
    })
  }
}

await program.parseAsync(process.argv)

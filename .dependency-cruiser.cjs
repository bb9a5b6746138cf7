// The architecture, as rules dependency-cruiser checks (`npm test` runs them: test/architecture.test.ts).
// Layers, top may import bottom, never the reverse:
//   composition root (src/*.ts, src/commands, src/demo) → api, bot, web → alerts → notify → actions, audit
//   → money → present → metrics → config → core.
// Providers sit beside config and import only the public API, src/index.ts, like a third-party plugin.

/** Bottom first. Everything under src/ that is not in a layer is the composition root. */
const LAYERS = [
  { name: 'core', paths: ['^src/core/'] },
  { name: 'config', paths: ['^src/config/'] },
  { name: 'metrics', paths: ['^src/metrics/'] },
  { name: 'present', paths: ['^src/present/'] },
  { name: 'money', paths: ['^src/money/'] },
  { name: 'actions and audit', paths: ['^src/actions/', '^src/audit/'] },
  { name: 'notify', paths: ['^src/notify/'] },
  { name: 'alerts', paths: ['^src/alerts/'] },
  { name: 'api, bot and web', paths: ['^src/api/', '^src/bot/', '^src/web/'] }
]
const ROOT = ['^src/[^/]+\\.ts$', '^src/commands/', '^src/demo/']

const upward = LAYERS.map((layer, index) => ({
  name: `${layer.name}-imports-no-layer-above`,
  comment: `${layer.name} may import only the layers below it (${LAYERS.slice(0, index).map(l => l.name).join(', ') || 'none'}) and packages`,
  severity: 'error',
  from: { path: layer.paths },
  to: { path: [...LAYERS.slice(index + 1).flatMap(l => l.paths), ...ROOT] }
}))

/** Siblings in one layer stay apart (actions may use audit's types, not the reverse). */
const siblings = [
  ['^src/audit/', '^src/actions/'],
  ['^src/api/', '^src/(bot|web)/'],
  ['^src/bot/', '^src/(api|web)/'],
  ['^src/web/', '^src/(api|bot)/']
].map(([from, to]) => ({
  name: 'no-sibling-imports',
  comment: `${from} may not import ${to}: same layer`,
  severity: 'error',
  from: { path: from },
  to: { path: to }
}))

module.exports = {
  forbidden: [
    ...upward,
    ...siblings,
    {
      name: 'providers-use-only-the-public-api',
      comment: 'a built-in provider imports from the host only src/index.ts, exactly like a plugin',
      severity: 'error',
      from: { path: '^providers/' },
      to: { path: '^src/', pathNot: '^src/index\\.ts$' }
    },
    {
      name: 'only-the-composition-root-knows-providers',
      comment: 'the host learns provider types from the registry; only the composition root names providers/',
      severity: 'error',
      from: { path: '^src/', pathNot: ROOT },
      to: { path: '^providers/' }
    },
    {
      name: 'the-page-is-an-api-client',
      comment: 'the browser page (src/page) reads only the public HTTP API: of the host it imports the shapes of its answers and the pure checks beside them (core/instance, core/verbs), nothing that runs the host',
      severity: 'error',
      from: { path: '^src/page/' },
      to: { path: '^(src|providers)/', pathNot: '^src/(page/|core/(instance|snapshot|provider|verbs)\\.ts$|actions/record\\.ts$)' }
    },
    {
      name: 'nothing-imports-the-page',
      comment: 'the page is built and served as files (dist/page), never imported',
      severity: 'error',
      from: { path: '^(src|providers)/', pathNot: '^src/page/' },
      to: { path: '^src/page/' }
    },
    {
      name: 'no-shipped-code-imports-tests',
      severity: 'error',
      from: { path: '^(src|providers)/' },
      to: { path: '^test/' }
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true }
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import the checker cannot resolve would escape every rule above (the broken plugin fixtures miss theirs on purpose)',
      severity: 'error',
      from: { pathNot: '^test/fixtures/plugins/broken/' },
      to: { couldNotResolve: true }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|\\.bench|node_modules)/' },
    tsConfig: { fileName: 'tsconfig.test.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] }
  }
}

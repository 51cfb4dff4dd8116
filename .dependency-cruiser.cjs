/**
 * CareKey's import boundaries, checked by `npm run lint` (dependency-cruiser).
 *
 * Layers of the app, top to bottom:
 *
 *   app → features → platform / chain / shareHost / storage / ui → domain
 *
 * An import goes down, never up. Features reach each other only through a feature's
 * `index.ts`. The middle layer (platform, chain, shareHost, storage, ui) sits side by side
 * above domain: its folders do not import each other, with one exception (platform's screen
 * scaffolding may render ui's presentational pieces, see `platform-imports-only-domain-and-ui`).
 * The service worker imports none of the app.
 *
 * Node-side code (scripts, bench, e2e, contracts, server) shares its helpers through one
 * toolkit, `scripts/lib/`; nothing outside e2e imports from `e2e/`.
 *
 * Tests and test support (`*.test.ts(x)`, `server/src/testing/`) may reach further than the
 * code they test (a storage test may use a domain fixture, an integration test starts a
 * local chain), so the layer rules below apply to the code that ships. Cycles are refused
 * everywhere.
 *
 * Every rule here has a planted violation in scripts/boundaries/fixtures/ and a test
 * (scripts/boundaries/boundaries.test.ts) that proves it fires.
 */

/** Tests and test-support files: exempt from the layer rules, not from the cycle rule. */
const TESTS = ['\\.test\\.tsx?$', '^src/test/', '^server/src/testing/']

/** Our own folders (anything else an import reaches is a package or Node's own). */
const OURS = '^(src|server|scripts|bench|e2e|contracts|sample-data|public)/'

/**
 * The layers above the middle one. An import up into them breaks `nothing-imports-app` or
 * `lower-layers-not-into-features`; the rules for what a lower layer may import leave them to
 * those two, so each violation is named once.
 */
const UPWARD = '^src/(app|features)/'

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: modules that need each other cannot be understood, tested or loaded one at a time. Break it by moving the shared part down a layer.',
      from: { path: OURS },
      to: { circular: true },
    },
    {
      name: 'nothing-imports-app',
      severity: 'error',
      comment: 'app/ is the top layer (entry, providers, route table, layout): only src/main.tsx imports it.',
      from: { path: '^src/', pathNot: ['^src/app/', '^src/main\\.tsx$'] },
      to: { path: '^src/app/' },
    },
    {
      name: 'lower-layers-not-into-features',
      severity: 'error',
      comment: 'platform, chain, shareHost, storage, ui and domain sit below the features and never import one.',
      from: { path: '^src/(platform|chain|shareHost|storage|ui|domain)/' },
      to: { path: '^src/features/' },
    },
    {
      name: 'feature-through-its-index',
      severity: 'error',
      comment: "A feature reaches another feature only through that feature's index.ts (its one door).",
      from: { path: '^src/features/([^/]+)/' },
      to: { path: '^src/features/', pathNot: ['^src/features/$1/', '^src/features/[^/]+/index\\.ts$'] },
    },
    {
      name: 'platform-imports-only-domain-and-ui',
      severity: 'error',
      comment:
        'platform imports only domain, and ui: its screen scaffolding (NeedsNetwork) renders ui\'s presentational Notice rather than a second copy of it. ui imports only domain, so this cannot form a cycle. The last-known-reads cache gets its store passed in; it never imports storage.',
      from: { path: '^src/platform/', pathNot: TESTS },
      to: { path: '^src/', pathNot: [UPWARD, '^src/platform/', '^src/domain/', '^src/ui/'] },
    },
    {
      name: 'middle-layer-imports-only-domain',
      severity: 'error',
      comment: 'chain, shareHost and storage sit side by side above domain: each imports only itself and domain.',
      from: { path: '^src/(chain|shareHost|storage)/', pathNot: TESTS },
      to: { path: '^src/', pathNot: [UPWARD, '^src/$1/', '^src/domain/'] },
    },
    {
      name: 'ui-imports-only-domain',
      severity: 'error',
      comment: 'ui holds small presentational components: it imports only domain.',
      from: { path: '^src/ui/', pathNot: TESTS },
      to: { path: OURS, pathNot: [UPWARD, '^src/ui/', '^src/domain/'] },
    },
    {
      name: 'domain-imports-only-domain',
      severity: 'error',
      comment: 'domain is pure TypeScript with no React and no I/O: it imports nothing of ours outside domain.',
      from: { path: '^src/domain/', pathNot: TESTS },
      to: { path: OURS, pathNot: [UPWARD, '^src/domain/'] },
    },
    {
      name: 'service-worker-imports-no-app-code',
      severity: 'error',
      comment: 'The service worker (src/sw.ts) runs apart from the page: it imports packages (workbox) only, none of the app.',
      from: { path: '^src/sw\\.ts$' },
      to: { path: OURS },
    },
    {
      name: 'app-code-not-into-tooling',
      severity: 'error',
      comment: 'The browser app never imports the share host, scripts, benchmarks or end-to-end tests.',
      from: { path: '^src/', pathNot: TESTS },
      to: { path: '^(server|scripts|bench|e2e)/' },
    },
    {
      name: 'only-chain-and-platform-read-contracts',
      severity: 'error',
      comment: "In the app, only chain (the ABI) and platform (the deployment's addresses, in config) import from contracts/.",
      from: { path: '^src/', pathNot: ['^src/(chain|platform)/', ...TESTS] },
      to: { path: '^contracts/' },
    },
    {
      name: 'contracts-only-through-outputs',
      severity: 'error',
      comment:
        'Outside contracts/, import only its outputs: the generated ABI modules (contracts/generated/*.ts), the deployments (contracts/deployments/*.json) and their reader (contracts/deployment.ts, for the build, the share host and `npm run deploy`), and the compiler entry (contracts/build.ts, for `npm run dev`).',
      from: { path: OURS, pathNot: '^contracts/' },
      to: {
        path: '^contracts/',
        pathNot: ['^contracts/generated/[^/]+\\.ts$', '^contracts/deployments/[^/]+\\.json$', '^contracts/deployment\\.ts$', '^contracts/build\\.ts$'],
      },
    },
    {
      name: 'tooling-not-into-e2e',
      severity: 'error',
      comment: 'Only the end-to-end tests import from e2e/. A helper that scripts, bench or contracts need lives in scripts/lib/, the shared toolkit.',
      from: { path: OURS, pathNot: '^e2e/' },
      to: { path: '^e2e/' },
    },
    {
      name: 'tooling-shares-only-scripts-lib',
      severity: 'error',
      comment: "scripts/lib/ is the one shared toolkit for Node-side code (chain, deploy, ports, processes, stack, browser, QR video, shared page objects, sample patient). The scripts themselves are entry points: nothing imports them but their own tests beside them.",
      from: { path: OURS, pathNot: '^scripts/[^/]+\\.(integration\\.)?test\\.ts$' },
      to: { path: '^scripts/', pathNot: '^scripts/lib/' },
    },
    {
      name: 'nothing-imports-bench',
      severity: 'error',
      comment: 'Benchmarks are leaves: nothing outside bench/ imports them.',
      from: { path: OURS, pathNot: '^bench/' },
      to: { path: '^bench/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // The planted violations that prove each rule fires (see the test beside them).
    exclude: { path: '^scripts/boundaries/fixtures/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
}

import { defineConfig, loadEnv } from 'vite'
import react from '@vitejs/plugin-react'
import tailwindcss from '@tailwindcss/vite'
import { VitePWA } from 'vite-plugin-pwa'
import type { Plugin } from 'vite'
import { withDeployment } from './contracts/deployment.ts'
import { parseAppConfig } from './src/platform/configSchema.ts'
import { contentSecurityPolicy } from './src/platform/contentSecurityPolicy.ts'

/**
 * vite-plugin-pwa 2 builds the service worker with Rollup-era options
 * (`build.rollupOptions.output.inlineDynamicImports`); Vite 8 builds with Rolldown, which
 * names this `build.rolldownOptions.output.codeSplitting: false`. Same result, no warning.
 */
const serviceWorkerRolldownOptions: Plugin = {
  name: 'carekey:sw-rolldown-options',
  config(config) {
    const rollupOptions = config.build?.rollupOptions
    const output = rollupOptions?.output
    if (!config.build || !rollupOptions || !output || Array.isArray(output)) return
    const { inlineDynamicImports, ...rest } = output
    config.build.rolldownOptions = { ...rollupOptions, output: { ...rest, codeSplitting: !inlineDynamicImports } }
    delete config.build.rollupOptions
  },
}

// The service worker (src/sw.ts) and web app manifest. The worker exists only in the production
// build (`vite build`); the dev server runs without one.
const pwa = VitePWA({
  strategies: 'injectManifest',
  srcDir: 'src',
  filename: 'sw.ts',
  registerType: 'prompt',
  // src/app/pwa registers the worker itself (registerSW), so it can ask before updating.
  injectRegister: false,
  // The icons are precached with the other public files (globPatterns below), once.
  includeManifestIcons: false,
  injectManifest: {
    // Everything the app can load, so it starts and works offline after one visit (the plugin
    // adds the manifest itself).
    globPatterns: ['**/*.{js,css,html,svg,png,ico,wasm,woff2}'],
    // The QR reader's .wasm is about 1 MB; keep room for it.
    maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
    buildPlugins: { vite: [serviceWorkerRolldownOptions] },
  },
  manifest: {
    id: '/',
    name: 'CareKey: your health wallet',
    short_name: 'CareKey',
    description: 'Your health records on your device, shared only with the consent you give.',
    lang: 'en',
    dir: 'ltr',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    theme_color: '#0f766e',
    background_color: '#f8fafc',
    categories: ['health', 'medical'],
    icons: [
      { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: '/icons/maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
      { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      { src: '/icons/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
    ],
    shortcuts: [
      {
        name: 'Show my consent QR',
        short_name: 'My consent QR',
        description: 'Show a clinician the QR code of a consent you gave',
        url: '/share',
        icons: [{ src: '/icons/shortcut-share-96.png', sizes: '96x96', type: 'image/png' }],
      },
      {
        name: 'Scan a consent QR',
        short_name: 'Scan QR',
        description: "Scan a patient's consent QR code to see what they shared",
        url: '/scan',
        icons: [{ src: '/icons/shortcut-scan-96.png', sizes: '96x96', type: 'image/png' }],
      },
    ],
  },
})

/**
 * The production build's content security policy, as a meta tag (static hosts cannot be relied
 * on to send headers). The dev server needs inline scripts for hot reload, so it has none.
 */
const securityPolicy = (env: Record<string, string>): Plugin => ({
  name: 'carekey:content-security-policy',
  apply: 'build',
  transformIndexHtml: () => [
    { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy(parseAppConfig(env)) }, injectTo: 'head-prepend' },
  ],
})

/** CAREKEY_* variables that other CareKey tools read and that must never reach the app. */
const SECRET_VARIABLES = ['CAREKEY_SPONSOR_PRIVATE_KEY', 'CAREKEY_DEPLOYER_KEY']

/**
 * The app's build environment. Vite puts every CAREKEY_* variable into the app, so the share
 * host's and the deploy script's keys are removed (and refused in .env files). A deployment
 * file named by CAREKEY_DEPLOYMENT (`npm run deploy` writes one) gives CAREKEY_CHAIN_ID,
 * CAREKEY_CONSENT_REGISTRY and CAREKEY_CONSENT_REGISTRY_BLOCK.
 */
function buildEnvironment(mode: string): Record<string, string> {
  for (const name of SECRET_VARIABLES) delete process.env[name]
  const loaded = loadEnv(mode, process.cwd(), 'CAREKEY_')
  const leaked = SECRET_VARIABLES.filter((name) => name in loaded)
  if (leaked.length > 0) {
    throw new Error(`${leaked.join(', ')} must not be in a .env file: the build would put it into the app for anyone to read.`)
  }
  const env = withDeployment(loaded)
  // Vite reads the environment again for import.meta.env: give it the deployment's values.
  for (const [name, value] of Object.entries(env)) if (name !== 'CAREKEY_DEPLOYMENT' && process.env[name] === undefined) process.env[name] = value
  delete process.env.CAREKEY_DEPLOYMENT
  return env
}

export default defineConfig(({ mode }) => ({
  envPrefix: 'CAREKEY_',
  plugins: [react(), tailwindcss(), pwa, securityPolicy(buildEnvironment(mode))],
  server: {
    host: 'localhost',
    port: 5173,
    strictPort: true,
    // .carekey/ holds the test and benchmark builds, their Vite caches and the share host's data,
    // written all the time while tests run: nothing there is the dev server's to watch.
    watch: { ignored: ['**/.carekey/**'] },
  },
  preview: { host: 'localhost', port: 4173, strictPort: true },
  build: {
    target: 'es2022',
    // No source maps in the published build (nor in the service worker's): they would hand out
    // CareKey's readable source, comments included, from every deployment. The dev server has them.
    sourcemap: false,
    // The largest chunk is the made-up sample patient (about 500 kB, 37 kB gzip), loaded only
    // when the patient asks for sample data; everything else is far smaller.
    chunkSizeWarningLimit: 700,
  },
}))

import { defineConfig } from 'vitest/config'
import { toolViteCacheDir } from './scripts/lib/viteCache.ts'

// Vitest's Vite servers keep their cache apart from the dev server's node_modules/.vite.
const cacheDir = toolViteCacheDir('vitest')

export default defineConfig({
  cacheDir,
  test: {
    projects: [
      {
        cacheDir,
        test: {
          name: 'unit',
          include: ['src/**/*.test.{ts,tsx}', 'server/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', 'node_modules/**'],
          environment: 'node',
          // Starting an in-memory PGlite database takes a few seconds, more on a busy machine
          // (some tests start their own), and key derivation (scrypt, PBKDF2) is slow on a loaded
          // 2-core runner: a test that hangs still fails, only later. Speed is measured in bench/.
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        cacheDir,
        test: {
          // Against a real anvil chain that each test file starts on a free port.
          name: 'integration',
          include: ['contracts/test/**/*.test.ts', '**/*.integration.test.ts'],
          exclude: ['node_modules/**'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})

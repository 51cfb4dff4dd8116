import js from '@eslint/js'
import globals from 'globals'
import reactHooks from 'eslint-plugin-react-hooks'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['.carekey', 'dist', 'dev-dist', 'node_modules', 'contracts/generated', 'test-results', 'playwright-report', 'e2e/.artifacts', 'coverage', 'scripts/boundaries/fixtures'] },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      ecmaVersion: 2023,
      globals: { ...globals.browser, ...globals.node },
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // Node-side code (dev scripts, share host, benchmarks) prints to its terminal.
    files: ['scripts/**', 'server/**', 'bench/**', 'contracts/**', 'e2e/**', '*.config.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // Playwright fixtures call `use(...)`, which is not a React hook.
    files: ['e2e/**'],
    rules: { 'react-hooks/rules-of-hooks': 'off' },
  },
  {
    // The content security policy guard (e2e/support/securityPolicy.ts) watches the test's context,
    // every context its browser opens and every Chromium started through the fixtures. A test or
    // browser from anywhere else would run unwatched.
    files: ['e2e/**/*.ts'],
    ignores: ['e2e/support/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@playwright/test',
              importNames: ['test', 'chromium', 'firefox', 'webkit', '_electron', '_android'],
              message: 'Use `test` from e2e/support/fixtures.ts, and its `ownChromium` to start a browser: the content security policy guard must watch every page.',
            },
            { name: 'playwright', message: 'Use e2e/support/fixtures.ts: the content security policy guard must watch every page.' },
            { name: 'playwright-core', message: 'Use e2e/support/fixtures.ts: the content security policy guard must watch every page.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
  },
)

/** The tools besides `npm run dev` that start Vite (a dev server, a build or a preview). */
export type ViteTool = 'e2e' | 'bench' | 'dev-test' | 'vitest'

/**
 * The Vite cache folder (`cacheDir`) of a test or benchmark tool: its own, under `.carekey/vite/`,
 * never `node_modules/.vite`, which belongs to `npm run dev`. A Vite server whose configuration
 * differs from the dev server's (NODE_ENV=test under Vitest, other ports or plugins) finds that
 * cache outdated, deletes it and optimizes the dependencies again; the running dev server then
 * answers the app's modules with 504 "Outdated Optimize Dep" and the app cannot load.
 *
 * @example
 * await build({ cacheDir: toolViteCacheDir('e2e'), build: { outDir } })
 */
export function toolViteCacheDir(tool: ViteTool): string {
  return `.carekey/vite/${tool}`
}

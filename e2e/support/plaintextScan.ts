import { rm } from 'node:fs/promises'
import { chromium, type BrowserContext, type Page, type TestInfo } from '@playwright/test'
import { chromiumArgs, resolveChromium } from '../../scripts/lib/browser.ts'
import { findNeedles, scanDirectory, type Finding, type Needle, type ScanCoverage } from '../../scripts/lib/plaintextScan.ts'

export type { Finding, Needle } from '../../scripts/lib/plaintextScan.ts'

/** One thing an origin stores, as bytes: a record of a store, a cache entry, a file. */
export type StoredPiece = { where: string; bytes: Buffer }

/**
 * Everything the page's origin stores, read through the page's own APIs, as bytes: every
 * IndexedDB database and store (keys, and values with strings as UTF-8, byte arrays and the
 * bytes of Blobs as they are), every Cache Storage entry (its URL, headers and body),
 * localStorage, sessionStorage, cookies and every file in the origin private file system.
 */
export async function readOriginStorage(page: Page): Promise<StoredPiece[]> {
  const pieces = await page.evaluate(async () => {
    const out: { where: string; base64: string }[] = []
    const encoder = new TextEncoder()
    const base64 = (bytes: Uint8Array) => {
      let latin1 = ''
      for (let i = 0; i < bytes.length; i += 0x8000) latin1 += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
      return btoa(latin1)
    }
    const join = (parts: Uint8Array[]) => {
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0))
      let at = 0
      for (const part of parts) {
        all.set(part, at)
        at += part.length + 1
      }
      return all
    }
    const flatten = async (value: unknown, parts: Uint8Array[], depth = 0): Promise<void> => {
      if (depth > 32 || value === null || value === undefined) return
      if (typeof value === 'string') parts.push(encoder.encode(value))
      else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') parts.push(encoder.encode(String(value)))
      else if (value instanceof ArrayBuffer) parts.push(new Uint8Array(value))
      else if (ArrayBuffer.isView(value)) parts.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
      else if (value instanceof Blob) parts.push(encoder.encode(value.type), new Uint8Array(await value.arrayBuffer()))
      else if (value instanceof Date) parts.push(encoder.encode(value.toISOString()))
      else if (Array.isArray(value)) for (const item of value) await flatten(item, parts, depth + 1)
      else if (value instanceof Map) for (const [k, v] of value) await flatten([k, v], parts, depth + 1)
      else if (value instanceof Set) for (const v of value) await flatten(v, parts, depth + 1)
      else if (typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          parts.push(encoder.encode(k))
          await flatten(v, parts, depth + 1)
        }
      }
    }
    const add = async (where: string, ...values: unknown[]) => {
      const parts: Uint8Array[] = []
      for (const value of values) await flatten(value, parts)
      out.push({ where, base64: base64(join(parts)) })
    }
    const done = <T,>(request: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result)
        request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'))
      })

    for (const info of await indexedDB.databases()) {
      if (!info.name) continue
      const db = await done(indexedDB.open(info.name))
      try {
        for (const store of Array.from(db.objectStoreNames)) {
          const tx = db.transaction(store)
          const [keys, values] = await Promise.all([done(tx.objectStore(store).getAllKeys()), done(tx.objectStore(store).getAll())])
          for (let i = 0; i < keys.length; i++) await add(`IndexedDB ${info.name}/${store}/${JSON.stringify(keys[i])}`, keys[i], values[i])
        }
      } finally {
        db.close()
      }
    }
    for (const name of await caches.keys()) {
      const cache = await caches.open(name)
      for (const request of await cache.keys()) {
        const response = await cache.match(request)
        const headers = response ? [...response.headers].flat() : []
        await add(`Cache Storage ${name} ${request.url}`, request.url, headers, response ? await response.arrayBuffer() : undefined)
      }
    }
    for (const [label, storage] of [
      ['localStorage', localStorage],
      ['sessionStorage', sessionStorage],
    ] as const) {
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i) ?? ''
        await add(`${label} ${key}`, key, storage.getItem(key))
      }
    }
    if (document.cookie) await add('cookies', document.cookie)
    const walk = async (dir: FileSystemDirectoryHandle, path: string): Promise<void> => {
      // entries() is in every browser that has the origin private file system, not yet in TypeScript's DOM types.
      const entries = (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()
      for await (const [name, handle] of entries) {
        if (handle instanceof FileSystemFileHandle) await add(`OPFS ${path}${name}`, name, await handle.getFile())
        else if (handle instanceof FileSystemDirectoryHandle) await walk(handle, `${path}${name}/`)
      }
    }
    await walk(await navigator.storage.getDirectory(), '/')
    return out
  })
  return pieces.map((p) => ({ where: p.where, bytes: Buffer.from(p.base64, 'base64') }))
}

/**
 * Reads every store of the page's origin (readOriginStorage) and returns each needle found in it.
 *
 * @example
 * const { findings, pieces } = await scanOriginStorage(page, needles)
 * expect(findings).toEqual([])
 */
export async function scanOriginStorage(page: Page, needles: readonly Needle[]): Promise<{ findings: Finding[]; pieces: StoredPiece[] }> {
  const pieces = await readOriginStorage(page)
  return { findings: pieces.flatMap((p) => findNeedles(p.where, p.bytes, needles)), pieces }
}

/** A Chromium with a profile folder on disk, as the tests' config launches it, and a page in it. */
export type PersistentBrowser = { context: BrowserContext; page: Page; userDataDir: string }

/**
 * Launches Chromium on a persistent profile in the test's output folder (the same executable
 * and flags as playwright.config.ts), so that what the app stores lands in files a test can
 * read once the browser has closed.
 */
export async function launchPersistentBrowser(testInfo: TestInfo, baseURL: string | undefined): Promise<PersistentBrowser> {
  const userDataDir = testInfo.outputPath('profile')
  await rm(userDataDir, { recursive: true, force: true })
  const { viewport } = testInfo.project.use
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: resolveChromium().executablePath,
    args: chromiumArgs(),
    baseURL,
    viewport,
    acceptDownloads: true,
  })
  const page = context.pages()[0] ?? (await context.newPage())
  return { context, page, userDataDir }
}

/**
 * Closes the persistent browser (so every store is written out and its files are unlocked),
 * then reads every file of the profile as bytes (scanDirectory in scripts/lib/plaintextScan.ts
 * says how LevelDB logs, tables and compressed IndexedDB values are read).
 */
export async function scanClosedProfile(browser: PersistentBrowser, needles: readonly Needle[]): Promise<{ findings: Finding[]; coverage: ScanCoverage }> {
  await browser.context.close()
  return scanDirectory(browser.userDataDir, needles)
}

/**
 * What must never be stored in plaintext about a patient: the recovery phrase (whole, and its
 * first half, as a run of words), the passphrase and the given texts.
 */
export function patientNeedles(secrets: { phrase: string; passphrase: string }, texts: Record<string, string>): Needle[] {
  const words = secrets.phrase.split(' ')
  return [
    { label: 'recovery phrase', text: secrets.phrase },
    { label: 'recovery phrase, first half', text: words.slice(0, Math.ceil(words.length / 2)).join(' ') },
    { label: 'passphrase', text: secrets.passphrase },
    ...Object.entries(texts).map(([label, text]) => ({ label, text })),
  ]
}

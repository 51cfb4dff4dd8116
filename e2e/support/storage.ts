import type { Page } from '@playwright/test'

/**
 * Everything the page's origin keeps in IndexedDB and localStorage, flattened to text: strings
 * as they are, byte arrays as latin1 and hex, so a test can search the stored bytes for
 * secrets or plaintext.
 */
export async function dumpOriginStorage(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const parts: string[] = []
    const visit = (value: unknown, depth = 0): void => {
      if (depth > 20 || value === null || value === undefined) return
      if (typeof value === 'string') parts.push(value)
      else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') parts.push(String(value))
      else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
        const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
        const limited = bytes.subarray(0, 4_000_000)
        let latin1 = ''
        for (let i = 0; i < limited.length; i += 0x8000) latin1 += String.fromCharCode(...limited.subarray(i, i + 0x8000))
        parts.push(latin1)
        parts.push(Array.from(limited, (b) => b.toString(16).padStart(2, '0')).join(''))
      } else if (value instanceof Blob) parts.push(`[blob ${value.size}]`)
      else if (Array.isArray(value)) value.forEach((v) => visit(v, depth + 1))
      else if (typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          parts.push(k)
          visit(v, depth + 1)
        }
      }
    }
    const done = <T,>(request: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result)
        request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'))
      })
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue
      const db = await done(indexedDB.open(info.name))
      for (const store of Array.from(db.objectStoreNames)) {
        const values = await done(db.transaction(store).objectStore(store).getAll())
        const keys = await done(db.transaction(store).objectStore(store).getAllKeys())
        visit(values)
        visit(keys.map(String))
      }
      db.close()
    }
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)
      if (key) parts.push(key, localStorage.getItem(key) ?? '')
    }
    return parts.join('\n')
  })
}

/** Cuts the stored vault's ciphertext short, as a damaged disk or a bad sync would. */
export async function truncateStoredVault(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const done = <T,>(request: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result)
        request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'))
      })
    const db = await done(indexedDB.open('carekey'))
    const store = db.transaction('vault', 'readwrite').objectStore('vault')
    const vault = (await done(store.get('main'))) as { ciphertext: Uint8Array }
    await done(store.put({ ...vault, ciphertext: vault.ciphertext.slice(0, 8) }, 'main'))
    db.close()
  })
}

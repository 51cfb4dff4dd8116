import type { Page } from '@playwright/test'

/**
 * A database as IndexedDB held it, written out as JSON: each store's definition and every
 * key and value. Values keep their structured-clone types through tagged objects
 * (`{ "$type": "Uint8Array", "base64": "…" }`, likewise ArrayBuffer, Blob, Date, undefined),
 * so a dump loads back into IndexedDB byte for byte. The frozen databases in e2e/fixtures are
 * dumps of this format made by old versions of CareKey.
 */
export type IndexedDbDump = {
  format: 'carekey-indexeddb-dump/1'
  name: string
  version: number
  stores: StoreDump[]
}

export type StoreDump = {
  name: string
  keyPath: string | string[] | null
  autoIncrement: boolean
  indexes: { name: string; keyPath: string | string[]; unique: boolean; multiEntry: boolean }[]
  records: { key: unknown; value: unknown }[]
}

/**
 * Reads the whole database `name` of the page's origin (without running any migration: it is
 * opened at the version it has).
 *
 * @example
 * const dump = await dumpIndexedDb(page, 'carekey')
 * await writeFile('e2e/fixtures/carekey-v1.json', JSON.stringify(dump, null, 1))
 */
export async function dumpIndexedDb(page: Page, name: string): Promise<IndexedDbDump> {
  return page.evaluate(async (name) => {
    const done = <T,>(request: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result)
        request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'))
      })
    const base64 = (bytes: Uint8Array) => {
      let latin1 = ''
      for (let i = 0; i < bytes.length; i += 0x8000) latin1 += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
      return btoa(latin1)
    }
    const encode = async (value: unknown): Promise<unknown> => {
      if (value === undefined) return { $type: 'undefined' }
      if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
      if (typeof value === 'number') return Number.isFinite(value) ? value : { $type: 'number', value: String(value) }
      if (value instanceof Date) return { $type: 'Date', value: value.getTime() }
      if (value instanceof ArrayBuffer) return { $type: 'ArrayBuffer', base64: base64(new Uint8Array(value)) }
      if (value instanceof Uint8Array) return { $type: 'Uint8Array', base64: base64(value) }
      if (value instanceof Blob) return { $type: 'Blob', mimeType: value.type, base64: base64(new Uint8Array(await value.arrayBuffer())) }
      if (Array.isArray(value)) return Promise.all(value.map(encode))
      if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
        if ('$type' in value) throw new Error('a stored object has a "$type" property, which the dump format uses for its tags')
        const out: Record<string, unknown> = {}
        for (const [k, v] of Object.entries(value)) out[k] = await encode(v)
        return out
      }
      throw new Error(`the dump format has no tag for a stored ${Object.prototype.toString.call(value)}`)
    }
    const db = await done(indexedDB.open(name))
    try {
      const stores = []
      for (const storeName of Array.from(db.objectStoreNames)) {
        const store = db.transaction(storeName).objectStore(storeName)
        const [keys, values] = await Promise.all([done(store.getAllKeys()), done(store.getAll())])
        const records = []
        for (let i = 0; i < keys.length; i++) records.push({ key: await encode(keys[i]), value: await encode(values[i]) })
        stores.push({
          name: storeName,
          keyPath: store.keyPath,
          autoIncrement: store.autoIncrement,
          indexes: Array.from(store.indexNames, (indexName) => {
            const index = store.index(indexName)
            return { name: indexName, keyPath: index.keyPath, unique: index.unique, multiEntry: index.multiEntry }
          }),
          records,
        })
      }
      return { format: 'carekey-indexeddb-dump/1' as const, name, version: db.version, stores }
    } finally {
      db.close()
    }
  }, name)
}

/**
 * Creates the dumped database in the page's origin, at the dump's version, with plain
 * IndexedDB calls (none of CareKey's code runs). The origin must not have a database of that
 * name yet. Run it on a page of the origin that does not open the database itself (such as a
 * missing file the server answers with 404) so no CareKey code races it.
 *
 * @example
 * await page.goto('/404-for-loading-a-fixture')
 * await loadIndexedDb(page, frozen.database)
 */
export async function loadIndexedDb(page: Page, dump: IndexedDbDump): Promise<void> {
  if (dump.format !== 'carekey-indexeddb-dump/1') throw new Error(`not an IndexedDB dump: format ${String(dump.format)}`)
  await page.evaluate(async (dump) => {
    const bytes = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
    const decode = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(decode)
      if (value === null || typeof value !== 'object') return value
      const tagged = value as { $type?: string; base64?: string; value?: unknown; mimeType?: string }
      switch (tagged.$type) {
        case undefined: {
          const out: Record<string, unknown> = {}
          for (const [k, v] of Object.entries(value)) out[k] = decode(v)
          return out
        }
        case 'undefined':
          return undefined
        case 'number':
          return Number(tagged.value)
        case 'Date':
          return new Date(Number(tagged.value))
        case 'ArrayBuffer':
          return bytes(tagged.base64 ?? '').buffer
        case 'Uint8Array':
          return bytes(tagged.base64 ?? '')
        case 'Blob':
          return new Blob([bytes(tagged.base64 ?? '')], { type: tagged.mimeType ?? '' })
        default:
          throw new Error(`unknown tag ${tagged.$type} in the dump`)
      }
    }
    const existing = await indexedDB.databases()
    if (existing.some((info) => info.name === dump.name)) throw new Error(`the origin already has a database named ${dump.name}`)
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(dump.name, dump.version)
      request.onupgradeneeded = () => {
        for (const store of dump.stores) {
          const created = request.result.createObjectStore(store.name, { keyPath: store.keyPath, autoIncrement: store.autoIncrement })
          for (const index of store.indexes) created.createIndex(index.name, index.keyPath, { unique: index.unique, multiEntry: index.multiEntry })
        }
      }
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error('could not create the database'))
    })
    try {
      const names = dump.stores.map((s) => s.name)
      if (names.length === 0) return
      const tx = db.transaction(names, 'readwrite')
      for (const store of dump.stores) {
        const target = tx.objectStore(store.name)
        for (const record of store.records) {
          if (store.keyPath === null) target.put(decode(record.value), decode(record.key) as IDBValidKey)
          else target.put(decode(record.value))
        }
      }
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve()
        tx.onabort = () => reject(tx.error ?? new Error('loading the dump was aborted'))
      })
    } finally {
      db.close()
    }
  }, dump)
}

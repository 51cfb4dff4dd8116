import { randomBytes } from 'node:crypto'
import { link, open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** Temporary files carry this suffix; readers never open them, and `isTempFile` finds leftovers. */
const TEMP_SUFFIX = '.tmp'

/** True for a file left behind by a write that never finished (a crash between write and rename). */
export function isTempFile(name: string): boolean {
  return name.endsWith(TEMP_SUFFIX)
}

/**
 * Replaces `path` with `data` all at once: writes a temporary file in the same folder, flushes
 * it to disk, renames it over the target and flushes the folder. A crash at any point leaves
 * either the old file or the new one, never a half-written file.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = await writeTemp(path, data)
  try {
    await rename(temp, path)
  } catch (error) {
    await unlink(temp).catch(() => undefined)
    throw error
  }
  await syncFolder(dirname(path))
}

/**
 * Like writeFileAtomic, but only when `path` does not exist yet: the final step is a hard link,
 * which fails when the name is taken, so two writers can never both succeed. Returns false
 * when the file already existed (and leaves it untouched).
 */
export async function createFileAtomic(path: string, data: string | Uint8Array): Promise<boolean> {
  const temp = await writeTemp(path, data)
  try {
    await link(temp, path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  } finally {
    await unlink(temp).catch(() => undefined)
  }
  await syncFolder(dirname(path))
  return true
}

async function writeTemp(path: string, data: string | Uint8Array): Promise<string> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`)
  const file = await open(temp, 'wx', 0o600)
  try {
    await file.writeFile(data)
    await file.sync()
  } catch (error) {
    await file.close()
    await unlink(temp).catch(() => undefined)
    throw error
  }
  await file.close()
  return temp
}

/** Makes a rename or link in the folder durable (POSIX needs the folder itself flushed). */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

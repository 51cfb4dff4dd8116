import { readFileSync, writeFileSync } from 'node:fs'

/** The file's text, or undefined when it does not exist. */
export function readTextIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** Writes the file only when its text changes (keeps file watchers and git quiet). Returns true if written. */
export function writeIfChanged(path: string, text: string): boolean {
  if (readTextIfExists(path) === text) return false
  writeFileSync(path, text)
  return true
}

import { useEffect, useSyncExternalStore } from 'react'

/**
 * Forms that hold input the patient has not saved yet. An update of CareKey reloads the page,
 * which would throw that input away (and, while creating a wallet, the recovery phrase that
 * is not stored yet), so the update waits while any form here is dirty.
 */
const dirtyForms = new Set<symbol>()
const listeners = new Set<() => void>()

function emit() {
  for (const listener of listeners) listener()
}

function subscribe(listener: () => void) {
  listeners.add(listener)
  return () => {
    listeners.delete(listener)
  }
}

/** True while at least one mounted form has unsaved input. */
export function hasDirtyForms(): boolean {
  return dirtyForms.size > 0
}

/**
 * Re-renders when forms become dirty or clean.
 *
 * @example
 * const formDirty = useHasDirtyForms()
 * {formDirty && <p>Finish the form first.</p>}
 */
export function useHasDirtyForms(): boolean {
  return useSyncExternalStore(subscribe, hasDirtyForms, hasDirtyForms)
}

/**
 * Marks the calling form as holding unsaved input while `dirty` is true; unmounting the form
 * (the patient leaves the screen) clears the mark.
 *
 * @example
 * const [note, setNote] = useState('')
 * useDirtyForm(note !== '')
 */
export function useDirtyForm(dirty: boolean): void {
  useEffect(() => {
    if (!dirty) return
    const form = Symbol('dirty form')
    dirtyForms.add(form)
    emit()
    return () => {
      dirtyForms.delete(form)
      emit()
    }
  }, [dirty])
}

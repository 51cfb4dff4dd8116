import { useSyncExternalStore } from 'react'

function subscribe(listener: () => void) {
  window.addEventListener('online', listener)
  window.addEventListener('offline', listener)
  return () => {
    window.removeEventListener('online', listener)
    window.removeEventListener('offline', listener)
  }
}

const isOnline = () => navigator.onLine

/**
 * Whether the browser says it has a network connection. `false` is reliable (there is no
 * network at all); `true` only means there is some connection, so chain reads still handle
 * their own failures.
 *
 * @example
 * const online = useOnlineStatus()
 * <Button disabled={!online}>Grant consent</Button>
 */
export function useOnlineStatus(): boolean {
  return useSyncExternalStore(subscribe, isOnline, () => true)
}

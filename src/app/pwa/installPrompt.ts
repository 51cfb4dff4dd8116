/** Chromium's install prompt event (not in TypeScript's DOM types). */
interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed'; platform: string }>
}

let deferredPrompt: BeforeInstallPromptEvent | undefined
const listeners = new Set<() => void>()

function emit() {
  for (const listener of listeners) listener()
}

function isBeforeInstallPromptEvent(event: Event): event is BeforeInstallPromptEvent {
  return 'prompt' in event && typeof event.prompt === 'function'
}

/**
 * Keeps the browser's install offer so that CareKey can show its own "Install CareKey"
 * button instead of the browser's mini-infobar. Called by the entry script, before the app
 * starts: the browser may fire the event before any component mounts. Kept free of React so
 * that the entry stays tiny.
 */
export function listenForInstallPrompt(): void {
  window.addEventListener('beforeinstallprompt', (event) => {
    if (!isBeforeInstallPromptEvent(event)) return
    event.preventDefault()
    deferredPrompt = event
    emit()
  })
  window.addEventListener('appinstalled', () => {
    deferredPrompt = undefined
    emit()
  })
}

/** Calls `listener` whenever the install offer comes or goes. */
export function subscribeToInstallOffer(listener: () => void): () => void {
  listeners.add(listener)
  return () => {
    listeners.delete(listener)
  }
}

/** True while the browser offers to install CareKey. */
export const canInstall = (): boolean => deferredPrompt !== undefined

/** Shows the browser's install dialog. The offer can be used once, whatever the patient chose. */
export async function promptInstall(): Promise<void> {
  const prompt = deferredPrompt
  if (!prompt) return
  deferredPrompt = undefined
  emit()
  await prompt.prompt()
  await prompt.userChoice
}

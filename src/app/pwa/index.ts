/**
 * CareKey as an installable app: the service worker and its update prompt, and the install
 * button. What features need (online status, dirty forms, last known reads) is in the platform.
 */
export { startServiceWorker } from './serviceWorker.ts'
export { PwaBanners } from './PwaBanners.tsx'
export { InstallButton } from './InstallButton.tsx'

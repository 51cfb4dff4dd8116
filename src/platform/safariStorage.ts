/**
 * Safari's seven-day rule: Safari deletes everything a site stored (IndexedDB included, so
 * CareKey's wallet and records) after seven days of Safari use without a visit to the site. A
 * web app added to the Home Screen (iPhone, iPad) or to the Dock (Mac) is not part of Safari:
 * it counts its own days of use and keeps its data while it is used.
 */

/** What the detector reads from the browser; passed in so that it stays pure and testable. */
export type BrowserEnvironment = {
  userAgent: string
  /** `navigator.maxTouchPoints`: an iPad asking for desktop sites says "Macintosh" but has touch. */
  maxTouchPoints?: number
  /** `navigator.standalone`, Safari on iOS only: true when opened from the Home Screen. */
  standalone?: boolean
  /** `matchMedia('(display-mode: standalone)')`: true in an installed web app (Home Screen, Dock). */
  displayModeStandalone: boolean
}

/** Where Safari runs, which decides how to add CareKey: the Home Screen, or the Dock. */
export type SafariDevice = 'iphone-or-ipad' | 'mac'

/** Browsers and in-app browsers that carry Safari's tokens but are not Safari (they have no "Add to Home Screen" of Safari's). */
const NOT_SAFARI =
  /\b(CriOS|FxiOS|EdgiOS|EdgA?|OPiOS|OPT|OPR|YaBrowser|DuckDuckGo|Ddg|GSA|Chrome|Chromium|Firefox|SamsungBrowser|FBAN|FBAV|FBIOS|Instagram|LinkedInApp|MicroMessenger|Line|Snapchat|Pinterest|Twitter|TikTok|musical_ly|Electron)\b/

/**
 * Safari outside a Home Screen (or Dock) app, and on which device: the case where Safari's
 * seven-day rule may delete CareKey's data. Undefined for any other browser (Chrome, Firefox,
 * Edge, on iOS too, and in-app browsers, where "Add to Home Screen" is not Safari's to offer)
 * and inside the installed app.
 *
 * @example
 * safariOutsideHomeScreen({ userAgent: navigator.userAgent, maxTouchPoints: 5, displayModeStandalone: false }) // 'iphone-or-ipad'
 */
export function safariOutsideHomeScreen(env: BrowserEnvironment): SafariDevice | undefined {
  if (env.standalone === true || env.displayModeStandalone) return undefined
  const ua = env.userAgent
  // Safari says "Version/x … Safari/y"; iOS apps showing pages in their own view mostly leave one out.
  if (!/\bVersion\/[\d.]+\b/.test(ua) || !/\bSafari\/[\d.]+/.test(ua) || NOT_SAFARI.test(ua)) return undefined
  if (/\b(iPhone|iPad|iPod)\b/.test(ua)) return 'iphone-or-ipad'
  if (/\bMacintosh\b/.test(ua)) return (env.maxTouchPoints ?? 0) > 1 ? 'iphone-or-ipad' : 'mac'
  return undefined
}

/**
 * True for Safari on iPhone, iPad or Mac outside the Home Screen (or Dock) app.
 *
 * @example
 * if (isSafariOutsideHomeScreen(currentBrowserEnvironment())) showSevenDayNotice()
 */
export function isSafariOutsideHomeScreen(env: BrowserEnvironment): boolean {
  return safariOutsideHomeScreen(env) !== undefined
}

/** This browser's environment, read from `navigator` and `matchMedia`. */
export function currentBrowserEnvironment(): BrowserEnvironment {
  if (typeof navigator === 'undefined') return { userAgent: '', displayModeStandalone: false }
  const standalone: unknown = (navigator as Navigator & { standalone?: unknown }).standalone
  return {
    userAgent: navigator.userAgent,
    maxTouchPoints: navigator.maxTouchPoints,
    standalone: typeof standalone === 'boolean' ? standalone : undefined,
    displayModeStandalone: typeof matchMedia === 'function' && matchMedia('(display-mode: standalone)').matches,
  }
}

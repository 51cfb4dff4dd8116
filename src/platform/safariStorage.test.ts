import { describe, expect, it } from 'vitest'
import { isSafariOutsideHomeScreen, safariOutsideHomeScreen, type BrowserEnvironment } from './safariStorage.ts'

/** User agents as the browsers send them. */
const UA = {
  iPhoneSafari:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1',
  iPhoneSafari18: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  iPadSafari: 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
  // iPadOS asks for desktop sites by default: it says Macintosh, and only touch tells it apart.
  iPadDesktopOrMacSafari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15',
  iPhoneChrome:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/123.0.6312.52 Mobile/15E148 Safari/604.1',
  iPhoneFirefox: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/124.0 Mobile/15E148 Safari/605.1.15',
  iPhoneEdge:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 EdgiOS/123.0.2420.56 Mobile/15E148 Safari/605.1.15',
  iPhoneOpera:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1 OPT/4.5.1',
  iPhoneDuckDuckGo:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 DuckDuckGo/7 Safari/605.1.15',
  iPhoneGoogleApp:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) GSA/307.0.613445279 Mobile/15E148 Safari/604.1',
  iPhoneFacebook:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/452.0.0.41.109;FBBV/561024089;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.3.1;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]',
  iPhoneInstagram:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 321.0.2.22.108 (iPhone14,5; iOS 17_3_1; en_US; en; scale=3.00; 1170x2532; 575563455)',
  iPhoneWebView: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  macChrome: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  macEdge: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51',
  macFirefox: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:125.0) Gecko/20100101 Firefox/125.0',
  macOpera: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36 OPR/109.0.0.0',
  androidChrome: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  androidSamsung:
    'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36',
  windowsChrome: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  linuxFirefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
}

const inBrowser = (userAgent: string, extra: Partial<BrowserEnvironment> = {}): BrowserEnvironment => ({
  userAgent,
  displayModeStandalone: false,
  ...extra,
})

describe('Safari outside the Home Screen', () => {
  it('is Safari on iPhone and iPad, in the browser', () => {
    expect(safariOutsideHomeScreen(inBrowser(UA.iPhoneSafari, { maxTouchPoints: 5, standalone: false }))).toBe('iphone-or-ipad')
    expect(safariOutsideHomeScreen(inBrowser(UA.iPhoneSafari18, { maxTouchPoints: 5 }))).toBe('iphone-or-ipad')
    expect(safariOutsideHomeScreen(inBrowser(UA.iPadSafari, { maxTouchPoints: 5 }))).toBe('iphone-or-ipad')
  })

  it('tells an iPad that says it is a Mac by its touch screen', () => {
    expect(safariOutsideHomeScreen(inBrowser(UA.iPadDesktopOrMacSafari, { maxTouchPoints: 5, standalone: false }))).toBe('iphone-or-ipad')
  })

  it('is Safari on a Mac', () => {
    expect(safariOutsideHomeScreen(inBrowser(UA.iPadDesktopOrMacSafari, { maxTouchPoints: 0 }))).toBe('mac')
    expect(safariOutsideHomeScreen(inBrowser(UA.iPadDesktopOrMacSafari))).toBe('mac')
    expect(isSafariOutsideHomeScreen(inBrowser(UA.iPadDesktopOrMacSafari))).toBe(true)
  })

  it('is not the Home Screen or Dock app', () => {
    expect(isSafariOutsideHomeScreen(inBrowser(UA.iPhoneSafari, { standalone: true, displayModeStandalone: true }))).toBe(false)
    // Either sign is enough: older iOS has only navigator.standalone, the Mac's Dock app only the display mode.
    expect(isSafariOutsideHomeScreen(inBrowser(UA.iPhoneSafari, { standalone: true }))).toBe(false)
    expect(isSafariOutsideHomeScreen(inBrowser(UA.iPadDesktopOrMacSafari, { displayModeStandalone: true }))).toBe(false)
  })

  it('is not another browser on iPhone, though each runs on Safari’s engine', () => {
    for (const ua of [UA.iPhoneChrome, UA.iPhoneFirefox, UA.iPhoneEdge, UA.iPhoneOpera, UA.iPhoneDuckDuckGo]) {
      expect(isSafariOutsideHomeScreen(inBrowser(ua, { maxTouchPoints: 5 })), ua).toBe(false)
    }
  })

  it('is not an app showing the page in its own browser (Google, Facebook, Instagram, a web view)', () => {
    for (const ua of [UA.iPhoneGoogleApp, UA.iPhoneFacebook, UA.iPhoneInstagram, UA.iPhoneWebView]) {
      expect(isSafariOutsideHomeScreen(inBrowser(ua, { maxTouchPoints: 5 })), ua).toBe(false)
    }
  })

  it('is not Chrome, Edge, Firefox or Opera on a Mac, nor any browser elsewhere', () => {
    for (const ua of [UA.macChrome, UA.macEdge, UA.macFirefox, UA.macOpera, UA.androidChrome, UA.androidSamsung, UA.windowsChrome, UA.linuxFirefox]) {
      expect(isSafariOutsideHomeScreen(inBrowser(ua)), ua).toBe(false)
    }
    expect(isSafariOutsideHomeScreen(inBrowser(''))).toBe(false)
  })
})

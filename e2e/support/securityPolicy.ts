import { isDeepStrictEqual } from 'node:util'
import type { Browser, BrowserContext, ConsoleMessage, Response } from '@playwright/test'
import { contentSecurityPolicy, HEADER_ONLY_DIRECTIVES, parseContentSecurityPolicy } from '../../src/platform/contentSecurityPolicy.ts'
import { e2eStack } from '../../scripts/lib/shares.ts'

/** The policy every CareKey page of a test run must be under. */
export type SecurityPolicyExpectation = {
  /** What the build writes into index.html's meta tag: `contentSecurityPolicy(config)`. */
  policy: string
  /**
   * Whether `npm start`'s server answered this URL, so that its document must also carry the
   * policy as a header, with the header-only directives. Other hosts (a static site) need only
   * the meta tag.
   */
  servedByServer: (url: URL) => boolean
}

/**
 * The policy of the e2e stack: the build's configuration (its chain's RPC and its share host,
 * which is `npm start`'s server itself) and that server's address, by name or by IP.
 */
export function e2eSecurityPolicy(): SecurityPolicyExpectation {
  const stack = e2eStack()
  const server = new URL(stack.baseUrl)
  return {
    policy: contentSecurityPolicy({ chain: { rpcUrl: stack.rpcUrl }, shareHostUrl: stack.shareHostUrl }),
    servedByServer: (url) => url.protocol === server.protocol && url.port === server.port && ['localhost', '127.0.0.1'].includes(url.hostname),
  }
}

/** What the script in every document of a watched context sends back. */
type PageReport =
  | { kind: 'violation'; url: string; directive: string; blocked: string; sample: string; source: string }
  | { kind: 'policy'; url: string; contentType: string; meta: string | null }

/** Guards made so far in this worker: each exposes its own page function. */
let guards = 0

/**
 * Runs in every document of a watched context before its own scripts: reports each
 * `securitypolicyviolation` event, and the policy of the document's meta tag once it is parsed.
 * Self-contained: Playwright sends its source to the browser.
 */
function reportSecurityPolicy(binding: string) {
  const report = (message: PageReport) => {
    const send = Reflect.get(window, binding) as ((message: PageReport) => Promise<void>) | undefined
    void send?.(message).catch(() => undefined)
  }
  document.addEventListener(
    'securitypolicyviolation',
    (event) => {
      report({
        kind: 'violation',
        url: location.href,
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
        sample: event.sample,
        source: `${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`,
      })
    },
    true,
  )
  document.addEventListener('DOMContentLoaded', () => {
    const meta = document.querySelector('meta[http-equiv="Content-Security-Policy" i]')
    report({ kind: 'policy', url: location.href, contentType: document.contentType, meta: meta ? meta.getAttribute('content') : null })
  })
}

/** A console message that reports a content security policy or Trusted Types violation. */
const POLICY_CONSOLE_MESSAGE = /Content Security Policy|Trusted ?Type|'Trusted(HTML|Script|ScriptURL)'/i

/**
 * Watches browsers and contexts for content security policy problems, and says what it saw when
 * asked ({@link SecurityPolicyGuard.check}):
 * - every `securitypolicyviolation` event in any document (an init script in every context),
 *   and every console error about the policy or Trusted Types, from pages and service workers;
 * - the policy in force: every CareKey document's meta tag must be the expected policy, and
 *   every document `npm start`'s server sends must carry it as a header as well, plus the
 *   header-only directives.
 *
 * The e2e fixtures (e2e/support/fixtures.ts) give each test one, watching its own context and
 * every context its browser opens during the test, and check it at the end.
 *
 * @example
 * const guard = new SecurityPolicyGuard(e2eSecurityPolicy())
 * await guard.watchContext(context)
 * await page.goto('/')
 * await guard.check() // throws, listing each problem, if there was any
 */
export class SecurityPolicyGuard {
  private problems: string[] = []
  private pending: Promise<void>[] = []
  private readonly watched = new WeakSet<BrowserContext>()
  /** The page function this guard exposes to every document (a binding, so reports survive navigations). */
  private readonly binding = `__carekeySecurityPolicyReport${++guards}`

  constructor(private readonly expected: SecurityPolicyExpectation) {}

  /**
   * Watches every context the browser opens from now on (`browser.newContext()`, and the
   * context of `browser.newPage()`) until the returned function is called. The browser announces
   * a context before `newContext()` resolves; its console is watched at once, and the page script
   * is installed before the test's next request to the browser is handled.
   */
  watchBrowser(browser: Browser): () => void {
    const onContext = (context: BrowserContext) => this.track(this.watchContext(context))
    browser.on('context', onContext)
    for (const context of browser.contexts()) onContext(context)
    return () => {
      browser.off('context', onContext)
    }
  }

  /** Watches every page, frame and service worker of the context, those already open too. */
  async watchContext(context: BrowserContext): Promise<void> {
    if (this.watched.has(context)) return
    this.watched.add(context)
    context.on('console', (message) => this.onConsole(message, 'page'))
    context.on('serviceworker', (worker) => worker.on('console', (message) => this.onConsole(message, 'service worker')))
    for (const worker of context.serviceWorkers()) worker.on('console', (message) => this.onConsole(message, 'service worker'))
    context.on('response', (response) => this.track(this.checkDocumentHeader(response)))
    await context.exposeBinding(this.binding, (_source, report: PageReport) => this.onReport(report))
    await context.addInitScript(reportSecurityPolicy, this.binding)
  }

  /**
   * Throws an Error listing every problem seen since the last check (violations, a missing or
   * different policy), and forgets them; resolves when there was none.
   */
  async check(): Promise<void> {
    while (this.pending.length > 0) await Promise.all(this.pending.splice(0))
    const problems = this.problems
    this.problems = []
    if (problems.length > 0) {
      throw new Error(`Content security policy problems (${problems.length}):\n${[...new Set(problems)].map((p) => `- ${p}`).join('\n')}`)
    }
  }

  private track(work: Promise<void>) {
    this.pending.push(
      work.catch((error: unknown) => {
        this.problems.push(`the guard failed: ${error instanceof Error ? error.message : String(error)}`)
      }),
    )
  }

  private onConsole(message: ConsoleMessage, where: string) {
    if (message.type() !== 'error' || !POLICY_CONSOLE_MESSAGE.test(message.text())) return
    const { url } = message.location()
    this.problems.push(`${where} console${url ? ` (${url})` : ''}: ${message.text()}`)
  }

  private onReport(report: PageReport) {
    if (report.kind === 'violation') {
      const sample = report.sample ? `, sample "${report.sample}"` : ''
      this.problems.push(`violation of ${report.directive} in ${report.url}: blocked ${report.blocked || '(inline)'}${sample} at ${report.source}`)
      return
    }
    const url = parseUrl(report.url)
    // Pages that are not CareKey's (about:blank, a test's own content, the share host's JSON) carry no policy.
    if (!url || report.contentType !== 'text/html' || (report.meta === null && !this.expected.servedByServer(url))) return
    if (report.meta !== this.expected.policy) {
      this.problems.push(`the meta tag of ${report.url} holds ${report.meta === null ? 'no policy' : `"${report.meta}"`}, not "${this.expected.policy}"`)
    }
  }

  /** A CareKey page from `npm start`'s server carries the policy (and frame-ancestors) as a header. */
  private async checkDocumentHeader(response: Response): Promise<void> {
    const request = response.request()
    const url = parseUrl(response.url())
    if (!url || request.resourceType() !== 'document' || !this.expected.servedByServer(url)) return
    if (response.status() !== 200 || !(response.headers()['content-type'] ?? '').startsWith('text/html')) return
    const header = response.headers()['content-security-policy'] ?? (await response.headerValue('content-security-policy'))
    const expected = { ...parseContentSecurityPolicy(this.expected.policy), ...HEADER_ONLY_DIRECTIVES }
    if (header === null || !isDeepStrictEqual(parseContentSecurityPolicy(header), expected)) {
      this.problems.push(`${response.url()} was sent with ${header === null ? 'no policy header' : `the header "${header}"`}, not "${this.expected.policy}" plus frame-ancestors`)
    }
  }
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

import { config } from 'zod'

/**
 * Zod compiles faster object parsers with `new Function` where it may, and probes for that when a
 * schema is made. The content security policy allows no eval, and Trusted Types report the probe
 * as a violation: tell zod not to try. The app's start (src/app/start.tsx) imports this before the app, whose modules make the schemas.
 */
config({ jitless: true })

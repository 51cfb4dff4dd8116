/**
 * CareKey's configuration, read once at build time from CAREKEY_* environment variables (see
 * configSchema.ts). This is the only module that reads import.meta.env.
 */
import { ConfigError, parseAppConfig, type AppConfig } from './configSchema.ts'

export { ConfigError, LOCAL_DEV_CHAIN_ID, parseAppConfig, type AppConfig, type ContractLocation } from './configSchema.ts'

function readBuildConfig(): { config: AppConfig; error: ConfigError | undefined } {
  try {
    return { config: parseAppConfig(import.meta.env), error: undefined }
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return { config: parseAppConfig({}), error }
  }
}

const build = readBuildConfig()

/** The configuration this build was made with. */
export const appConfig: AppConfig = build.config

/** Set when the build's environment was invalid: the app shows it instead of starting. */
export const appConfigError: ConfigError | undefined = build.error

/** A production build (`vite build`): the one with a service worker; the dev server has none. */
export const isProductionBuild: boolean = import.meta.env.PROD

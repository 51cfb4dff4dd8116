/** Every consent screen, loaded together behind the consent door. */
export { ConsentDetailScreen } from './ConsentDetailScreen.tsx'
export { ConsentListScreen } from './ConsentListScreen.tsx'
export { GrantConsentScreen } from './GrantConsentScreen.tsx'

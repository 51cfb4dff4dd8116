import { ConsentDetailScreen } from './ConsentDetailScreen.tsx'
import { ConsentListScreen } from './ConsentListScreen.tsx'
import { GrantConsentScreen } from './GrantConsentScreen.tsx'

/** Every consent screen, by the path after /consent/: '' my consents, 'new' grant, '<id>' one consent. */
export function ConsentScreens({ rest }: { rest: string }) {
  if (rest === '') return <ConsentListScreen />
  if (rest === 'new') return <GrantConsentScreen />
  return <ConsentDetailScreen key={rest} id={rest} />
}

import { ViewerChainProvider } from './ViewerChainProvider.tsx'
import { ViewScreen } from './ViewScreen.tsx'

/** The viewer with its own chain access (reads, and the clinician's optional browser wallet). */
export function ViewRoute() {
  return (
    <ViewerChainProvider>
      <ViewScreen />
    </ViewerChainProvider>
  )
}

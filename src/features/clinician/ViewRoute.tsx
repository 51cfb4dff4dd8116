import { WagmiProvider } from 'wagmi'
import { createViewerWagmiConfig } from '../../chain/index.ts'
import { appConfig } from '../../platform/index.ts'
import { ViewScreen } from './ViewScreen.tsx'

// Made once, when the viewer's chunk loads.
const viewerWagmiConfig = createViewerWagmiConfig(appConfig.chain)

/** The viewer with its own chain access (reads, and the clinician's optional browser wallet). */
export function ViewRoute() {
  return (
    <WagmiProvider config={viewerWagmiConfig}>
      <ViewScreen />
    </WagmiProvider>
  )
}

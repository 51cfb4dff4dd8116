import { ShareScreen } from './ShareScreen.tsx'
import { CurrentShareScreen } from './CurrentShareScreen.tsx'

/** Every share screen, by the path after /share/: '' the current consent QR code, '<id>' one share. */
export function ShareScreens({ rest }: { rest: string }) {
  if (rest === '') return <CurrentShareScreen />
  return <ShareScreen key={rest} id={rest} />
}

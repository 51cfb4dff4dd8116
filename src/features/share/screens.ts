/** Every share screen, loaded together behind the share door. */
export { CurrentShareScreen } from './CurrentShareScreen.tsx'
export { ShareScreen } from './ShareScreen.tsx'

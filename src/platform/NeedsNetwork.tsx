import { Notice } from '../ui/ErrorMessage.tsx'
import { useOnlineStatus } from './onlineStatus.ts'

/**
 * Says plainly, while offline, that an action needs the network. Renders nothing online.
 *
 * @example
 * <NeedsNetwork action="Granting a consent" />
 * <Button disabled={!useOnlineStatus()}>Grant</Button>
 */
export function NeedsNetwork({ action }: { action: string }) {
  const online = useOnlineStatus()
  if (online) return null
  return (
    <Notice tone="warning">
      <p>
        <strong>{action} needs the network.</strong> You are offline: try again when you are back online.
      </p>
    </Notice>
  )
}

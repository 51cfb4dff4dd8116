import { useSwitchChain } from 'wagmi'
import { appConfig } from '../../platform/config.ts'
import { Link } from '../../platform/router.tsx'
import { WrongNetworkError } from '../../chain/consentRegistryErrors.ts'
import { NotEnoughFundsError } from '../../chain/errors.ts'
import { toChainError } from '../../chain/index.ts'
import { Button, buttonClassName } from '../../ui/Button.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { registry } from './hooks.ts'

/**
 * Shows a failed chain action with what the patient can do about it: switch the wallet to
 * CareKey's network, or get test funds on the local chain. `inLiveRegion` as for ErrorMessage.
 */
export function ChainErrorMessage({ error, inLiveRegion = false }: { error: unknown; inLiveRegion?: boolean }) {
  if (error === null || error === undefined) return null
  return (
    <div className="space-y-2">
      <ErrorMessage error={error} inLiveRegion={inLiveRegion} />
      {error instanceof WrongNetworkError && <SwitchNetworkButton />}
      {error instanceof NotEnoughFundsError && appConfig.chain.isLocalDevChain && (
        <Link to="/account" className={buttonClassName('secondary')}>
          Get test funds on the Account screen
        </Link>
      )}
    </div>
  )
}

/** Asks the connected wallet to switch to CareKey's network. */
export function SwitchNetworkButton() {
  const switchChain = useSwitchChain()
  return (
    <div className="space-y-2">
      <Button variant="secondary" onClick={() => switchChain.mutate({ chainId: registry.chainId })} busy={switchChain.isPending}>
        Switch to {appConfig.chain.name}
      </Button>
      <ErrorMessage error={switchChain.error ? toChainError(switchChain.error) : undefined} />
    </div>
  )
}

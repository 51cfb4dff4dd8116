import { useMutation } from '@tanstack/react-query'
import { formatUnits, type Address } from 'viem'
import { useBalance, useChains, useConnect, useConnection, useDisconnect, useSwitchChain } from 'wagmi'
import { appConfig } from '../../platform/config.ts'
import { LAST_KNOWN_META, NeedsNetwork, useOnlineStatus } from '../../platform/index.ts'
import { LOCAL_WALLET_CONNECTOR_ID, requestDevFunds, toChainError, useBrowserWallets } from '../../chain/index.ts'
import { Button } from '../../ui/Button.tsx'
import { CopyButton } from '../../ui/CopyButton.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { LastRead } from '../../ui/LastRead.tsx'
import { Card, Page } from '../../ui/Page.tsx'
import { QrCode } from '../../ui/QrCode.tsx'
import { TechnicalDetails } from '../../ui/TechnicalDetails.tsx'
import { balanceText } from './balance.ts'
import { useWalletKeys } from './hooks.ts'

/** The patient's account: address, network, balance, which wallet signs. */
export function AccountScreen() {
  const keys = useWalletKeys()
  const connection = useConnection()
  const address: Address | undefined = connection.address ?? keys?.account.address
  return (
    <Page title="Account" description="The address that records your consents on the public chain. It holds no health data.">
      {address && <AddressCard address={address} />}
      <NetworkCard address={address} />
      <SigningWalletCard />
    </Page>
  )
}

function AddressCard({ address }: { address: Address }) {
  return (
    <Card title="Your address">
      <p className="font-mono text-sm break-all text-slate-900 dark:text-slate-100" data-testid="account-address">
        {address}
      </p>
      <CopyButton text={address} label="Copy address" />
      <QrCode value={address} label={`QR code of your address ${address}`} className="size-48 rounded-md" />
    </Card>
  )
}

function NetworkCard({ address }: { address: Address | undefined }) {
  const chains = useChains()
  const connection = useConnection()
  const switchChain = useSwitchChain()
  const chain = chains[0]
  const online = useOnlineStatus()
  // The balance is public chain data: its last known value is kept for offline use.
  const balance = useBalance({ address, query: { enabled: address !== undefined, retry: 1, meta: LAST_KNOWN_META } })
  const faucet = useMutation({
    mutationFn: async () => {
      if (!address || !chain) return
      try {
        await requestDevFunds(chain, address)
      } catch (error) {
        throw toChainError(error)
      }
    },
    onSuccess: () => balance.refetch(),
  })
  const wrongChain = connection.status === 'connected' && connection.chainId !== chain?.id

  return (
    <Card title="Network">
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
        <dt className="text-slate-600 dark:text-slate-400">Network</dt>
        <dd>{appConfig.chain.name}</dd>
        <dt className="text-slate-600 dark:text-slate-400">Balance</dt>
        <dd aria-live="polite">
          {balance.data ? balanceText(balance.data.value, balance.data.decimals, balance.data.symbol) : balance.isPending && address ? 'Reading…' : '—'}
        </dd>
      </dl>
      {balance.dataUpdatedAt > 0 && <LastRead at={balance.dataUpdatedAt} stale={balance.isError} />}
      <TechnicalDetails
        facts={[
          { label: 'Chain id', value: String(appConfig.chain.id) },
          ...(balance.data ? [{ label: 'Exact balance', value: `${formatUnits(balance.data.value, balance.data.decimals)} ${balance.data.symbol}` }] : []),
        ]}
      />
      {/* Offline with a last known value, the banner and "Last known value" already say it all. */}
      {balance.isError && (online || !balance.data) && <ErrorMessage error={toChainError(balance.error)} />}
      {wrongChain && chain && (
        <div className="space-y-2" role="alert">
          <p>Your browser wallet is on another network. CareKey uses {chain.name}.</p>
          <Button onClick={() => switchChain.mutate({ chainId: chain.id })} busy={switchChain.isPending}>
            Switch to {chain.name}
          </Button>
          <ErrorMessage error={switchChain.error ? toChainError(switchChain.error) : undefined} />
        </div>
      )}
      {appConfig.chain.isLocalDevChain && address && (
        <div className="space-y-2">
          <NeedsNetwork action="Getting test funds" />
          <Button variant="secondary" onClick={() => faucet.mutate()} busy={faucet.isPending} disabled={!online}>
            Get test funds (development chain)
          </Button>
          <ErrorMessage error={faucet.error} />
        </div>
      )}
    </Card>
  )
}

function SigningWalletCard() {
  const connection = useConnection()
  const connect = useConnect()
  const disconnect = useDisconnect()
  const browserWallets = useBrowserWallets()
  const usingBrowserWallet = connection.status === 'connected' && connection.connector?.id !== LOCAL_WALLET_CONNECTOR_ID

  return (
    <Card title="Signing wallet">
      <p>
        {usingBrowserWallet
          ? `Consents are signed with ${connection.connector?.name ?? 'your browser wallet'}.`
          : 'Consents are signed with your CareKey wallet, on this device.'}
      </p>
      {/* Disconnecting is enough: the app reconnects the CareKey wallet whenever no other is connected. */}
      {usingBrowserWallet && (
        <Button variant="secondary" onClick={() => disconnect.mutate({ connector: connection.connector })}>
          Use my CareKey wallet instead
        </Button>
      )}
      {!usingBrowserWallet && browserWallets.length > 0 && (
        <div className="space-y-2">
          <p className="text-sm text-slate-700 dark:text-slate-300">Already have a browser wallet? You can sign consents with it instead.</p>
          <div className="flex flex-wrap gap-2">
            {browserWallets.map((connector) => (
              <Button key={connector.uid} variant="secondary" onClick={() => connect.mutate({ connector })} busy={connect.isPending}>
                Use {connector.name}
              </Button>
            ))}
          </div>
        </div>
      )}
      <ErrorMessage error={connect.error ? toChainError(connect.error) : undefined} />
      <ErrorMessage error={disconnect.error ? toChainError(disconnect.error) : undefined} />
    </Card>
  )
}

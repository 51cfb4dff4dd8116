import { lazy } from 'react'
import { createRootRoute, createRoute, Navigate, redirect } from '@tanstack/react-router'
import { BackupScreen, RestoreRecordsScreen } from '../features/backup/index.ts'
import { ScanScreen, takeSharedLink, ViewScreen } from '../features/clinician/index.ts'
import {
  AddDocumentScreen,
  AddRecordScreen,
  EditRecordScreen,
  ImportScreen,
  NewRecordOfKindScreen,
  RecordDetailScreen,
  RecordTimeline,
} from '../features/records/index.ts'
import { CurrentShareScreen, ShareScreen } from '../features/share/index.ts'
import { AccountScreen, CreateWalletScreen, RemoveWalletScreen, RestoreWalletScreen, SettingsScreen } from '../features/wallet/index.ts'
import { NotFound, PublicArea, RootArea, WalletArea } from './areas.tsx'
import { HOME_PATH } from './nav.ts'

// The consent door also carries the hooks and parts the share screens build on (wagmi, storage):
// it loads with its screens, not with the first screen.
const consentScreens = () => import('../features/consent/index.ts').then((door) => door.loadConsentScreens())
const ConsentListScreen = lazy(() => consentScreens().then((m) => ({ default: m.ConsentListScreen })))
const GrantConsentScreen = lazy(() => consentScreens().then((m) => ({ default: m.GrantConsentScreen })))
const ConsentDetailScreen = lazy(() => consentScreens().then((m) => ({ default: m.ConsentDetailScreen })))

const rootRoute = createRootRoute({ component: RootArea })

// Anyone can open these, with or without a wallet; they never open the wallet's storage.
const publicRoute = createRoute({ getParentRoute: () => rootRoute, id: 'public', component: PublicArea })
const scanRoute = createRoute({ getParentRoute: () => publicRoute, path: '/scan', component: ScanScreen })
// A SMART Health Link opens the viewer in the fragment (`/view#shlink:/…`), which no request
// carries. Before anything loads, the link moves into the tab's memory and the address becomes
// plain `/view`, replacing the history entry: Back, reload and the history never show its key.
const viewRoute = createRoute({
  getParentRoute: () => publicRoute,
  path: '/view',
  beforeLoad: ({ location }) => {
    if (takeSharedLink(location.hash)) redirect({ to: '/view', replace: true, throw: true })
  },
  component: ViewScreen,
})

// The patient's side: WalletArea shows welcome or unlock in place of these while locked.
const walletRoute = createRoute({ getParentRoute: () => rootRoute, id: 'wallet', component: WalletArea })
const startRoute = createRoute({ getParentRoute: () => walletRoute, path: '/', component: () => <Navigate to={HOME_PATH} replace /> })
const createWalletRoute = createRoute({ getParentRoute: () => walletRoute, path: '/create', component: CreateWalletScreen })
const restoreWalletRoute = createRoute({ getParentRoute: () => walletRoute, path: '/restore', component: RestoreWalletScreen })
const removeWalletRoute = createRoute({ getParentRoute: () => walletRoute, path: '/remove', component: RemoveWalletScreen })
const accountRoute = createRoute({ getParentRoute: () => walletRoute, path: '/account', component: AccountScreen })
const settingsRoute = createRoute({ getParentRoute: () => walletRoute, path: '/settings', component: SettingsScreen })

const recordsRoute = createRoute({ getParentRoute: () => walletRoute, path: '/records', component: RecordTimeline })
const addRecordRoute = createRoute({ getParentRoute: () => walletRoute, path: '/records/new', component: AddRecordScreen })
const addDocumentRoute = createRoute({ getParentRoute: () => walletRoute, path: '/records/new/document', component: AddDocumentScreen })
const newRecordRoute = createRoute({ getParentRoute: () => walletRoute, path: '/records/new/$kind', component: NewRecordRoute })
const importRoute = createRoute({ getParentRoute: () => walletRoute, path: '/records/import', component: ImportScreen })
const backupRoute = createRoute({ getParentRoute: () => walletRoute, path: '/records/backup', component: BackupScreen })
const restoreRecordsRoute = createRoute({ getParentRoute: () => walletRoute, path: '/backup/restore', component: RestoreRecordsScreen })
const recordRoute = createRoute({ getParentRoute: () => walletRoute, path: '/records/$recordId', component: RecordRoute })
const editRecordRoute = createRoute({ getParentRoute: () => walletRoute, path: '/records/$recordId/edit', component: EditRecordRoute })

const consentsRoute = createRoute({ getParentRoute: () => walletRoute, path: '/consent', component: ConsentListScreen })
const grantConsentRoute = createRoute({
  getParentRoute: () => walletRoute,
  path: '/consent/new',
  // `?with=qr` (the share shortcut) starts with "whoever I show this QR code to"; `?step=who`
  // is the step shown (the screen checks it: an unknown step is the first).
  validateSearch: (search: Record<string, unknown>): { with?: 'qr'; step?: string } => ({
    ...(search.with === 'qr' ? { with: 'qr' as const } : {}),
    ...(typeof search.step === 'string' ? { step: search.step } : {}),
  }),
  component: GrantConsentRoute,
})
const consentRoute = createRoute({ getParentRoute: () => walletRoute, path: '/consent/$consentId', component: ConsentRoute })

const currentShareRoute = createRoute({ getParentRoute: () => walletRoute, path: '/share', component: CurrentShareScreen })
const shareRoute = createRoute({ getParentRoute: () => walletRoute, path: '/share/$shareId', component: ShareRoute })

// Any other address: the not-found screen, behind the unlock like every wallet screen.
const notFoundRoute = createRoute({ getParentRoute: () => walletRoute, path: '$', component: NotFound })

// A screen per id: a new id is a new screen (its form and state start afresh).
function NewRecordRoute() {
  const { kind } = newRecordRoute.useParams()
  return <NewRecordOfKindScreen key={kind} kind={kind} />
}
function RecordRoute() {
  const { recordId } = recordRoute.useParams()
  return <RecordDetailScreen key={recordId} id={recordId} />
}
function EditRecordRoute() {
  const { recordId } = editRecordRoute.useParams()
  return <EditRecordScreen key={recordId} id={recordId} />
}
function GrantConsentRoute() {
  const search = grantConsentRoute.useSearch()
  return <GrantConsentScreen withQr={search.with === 'qr'} />
}
function ConsentRoute() {
  const { consentId } = consentRoute.useParams()
  return <ConsentDetailScreen key={consentId} id={consentId} />
}
function ShareRoute() {
  const { shareId } = shareRoute.useParams()
  return <ShareScreen key={shareId} id={shareId} />
}

/** CareKey's route table: the clinician's public screens and the patient's wallet. */
export const routeTree = rootRoute.addChildren([
  publicRoute.addChildren([scanRoute, viewRoute]),
  walletRoute.addChildren([
    startRoute,
    createWalletRoute,
    restoreWalletRoute,
    removeWalletRoute,
    accountRoute,
    settingsRoute,
    recordsRoute,
    addRecordRoute,
    addDocumentRoute,
    newRecordRoute,
    importRoute,
    backupRoute,
    restoreRecordsRoute,
    recordRoute,
    editRecordRoute,
    consentsRoute,
    grantConsentRoute,
    consentRoute,
    currentShareRoute,
    shareRoute,
    notFoundRoute,
  ]),
])

/** Every backup screen, loaded together behind the backup door. */
export { BackupScreen } from './BackupScreen.tsx'
export { RestoreRecordsScreen } from './RestoreRecordsScreen.tsx'

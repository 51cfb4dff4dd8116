import { parseLastKnownReads, type LastKnownReadsStore } from '../platform/index.ts'
import { readSetting, writeSetting } from '../storage/settingsRepository.ts'

const SETTING_NAME = 'lastKnownChainReads'

/** The last known chain reads live in the settings table: public chain data only, unencrypted. */
export const lastKnownReadsStore: LastKnownReadsStore = {
  read: () => readSetting(SETTING_NAME, parseLastKnownReads),
  write: (reads) => writeSetting(SETTING_NAME, reads),
}

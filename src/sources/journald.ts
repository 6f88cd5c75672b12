import { NotAJournalEntry, isJournalEntry, normalizeJournalEntry } from './node/journal-entry.js';
import type { Source } from './source.js';

/**
 * Node OS logs from the systemd journal as `journalctl -o json` writes them (one entry a
 * line): unit, priority, hostname and cursor; sshd, sudo and PAM messages parsed.
 */
export const journaldSource: Source = {
  kind: 'node',
  name: 'journald',

  recognises: isJournalEntry,

  decode(value, text, context) {
    if (!isJournalEntry(value)) {
      return { events: [], rejections: [{ reason: 'not a journal entry: no __CURSOR or __REALTIME_TIMESTAMP (expected journalctl -o json output)', where: '', text }] };
    }
    try {
      return { events: [normalizeJournalEntry(value, text, context.cluster)], rejections: [] };
    } catch (error) {
      if (!(error instanceof NotAJournalEntry)) throw error;
      return { events: [], rejections: [{ reason: error.message, where: '', text }] };
    }
  },
};

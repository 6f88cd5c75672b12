import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertStoreContract } from '../../detect/alert-store-contract.js';
import { SqliteAlertStore } from './alert-store.js';
import { openDatabase } from './database.js';

alertStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-alerts-'));
  const db = openDatabase(dir);
  return {
    alerts: new SqliteAlertStore(db),
    close: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

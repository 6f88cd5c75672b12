import type { Command } from 'commander';
import { loadRuleSet } from '../../detect/loader.js';
import { DetectionStage } from '../../ingest/detection-stage.js';
import { formatSummary, ingestBatches } from '../../ingest/ingest.js';
import { inputFromPath } from '../../sources/input.js';
import { DEMO_CLUSTER, DEMO_LOG } from '../../server/demo-replay.js';
import { readEvents } from '../../sources/read.js';
import { SqliteAlertStore } from '../../store/sqlite/alert-store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { alertTable } from '../alert-table.js';
import { dataDirOption } from '../options.js';
import { renderTable } from '../render.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description('Load the bundled demo cluster\'s audit log into a data dir and show what the rules found (the web UI: vigil serve --demo)')
    .addOption(dataDirOption())
    .action(async (options: { dataDir: string }) => {
      await loadDemo(options.dataDir);
    });
}

async function loadDemo(dataDir: string): Promise<void> {
  const store = SqliteStore.open(dataDir, { durability: 'close' });
  try {
    const alerts = new SqliteAlertStore(store.db);
    const detection = new DetectionStage(loadRuleSet('builtin'), alerts, store.db);
    const batches = readEvents([inputFromPath(DEMO_LOG)], { cluster: DEMO_CLUSTER });
    const summary = await ingestBatches(batches, store, { onStored: (events) => detection.process(events) });
    detection.saveWindows();
    process.stdout.write(`Loaded the demo cluster's audit log into ${dataDir}: ${formatSummary(summary)}\n\n`);
    const high = await alerts.listAlerts({ severity: 'high', cluster: DEMO_CLUSTER, limit: 20 });
    process.stdout.write(`High and critical alerts the built-in rules raised:\n${renderTable(alertTable(high))}\n`);
    process.stdout.write(
      [
        'Try:',
        `  npx vigil alerts list --data-dir ${dataDir}`,
        `  npx vigil query 'user.name="bob@example.com" verb=delete | stats count() by resource' --data-dir ${dataDir}`,
        `  npx vigil query 'code=403 | stats count() by user.name, source.ip | sort -count()' --data-dir ${dataDir}`,
        '  npx vigil serve --demo      # the same cluster in the web UI',
        '',
      ].join('\n'),
    );
  } finally {
    await store.close();
  }
}

import type { Command } from 'commander';
import { Option } from 'commander';
import { parseCheckpoint, verifierKeyText } from '../../ledger/checkpoint.js';
import { LedgerSession } from '../../ledger/ledger-session.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { exitCodes } from '../exit.js';
import { dataDirOption } from '../options.js';
import { signingKeyOption, witnessOption } from './ledger-options.js';

interface CheckpointOptions {
  dataDir: string;
  signingKey?: string;
  witness: string[];
  publicKey: boolean;
  output: 'text' | 'json';
}

export function register(program: Command): void {
  program
    .command('checkpoint')
    .description("Print the log's newest signed checkpoint (signing one first if records arrived since), or its public key")
    .addOption(dataDirOption())
    .addOption(signingKeyOption())
    .addOption(witnessOption('also copy the checkpoint to this witness directory (repeatable)'))
    .option('--public-key', 'print the verifier key that checks this log\'s checkpoints and proofs, and exit', false)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
The checkpoint is a C2SP tlog-checkpoint signed note (origin, tree size, root hash, time). Keep the
public key away from this host: with it anyone can check checkpoints and proofs offline.

Examples:
  vigil checkpoint --public-key > vigil.pub
  vigil checkpoint --witness /mnt/witness`,
    )
    .action(async (options: CheckpointOptions) => {
      process.exitCode = await runCheckpoint(options);
    });
}

async function runCheckpoint(options: CheckpointOptions): Promise<number> {
  const store = SqliteStore.open(options.dataDir);
  try {
    const session = await LedgerSession.open(store, { dataDir: options.dataDir, keyFile: options.signingKey, witnessDirs: options.witness }, (message) =>
      process.stderr.write(`vigil: ${message}\n`),
    );
    if (options.publicKey) {
      process.stdout.write(`${verifierKeyText(session.key)}\n`);
      return exitCodes.ok;
    }
    const { final, witnessFailures } = await session.finish();
    if (!final.latest) {
      process.stderr.write('the log is empty: there is nothing to sign yet\n');
      return exitCodes.ok;
    }
    if (options.output === 'json') {
      const head = parseCheckpoint(final.latest.note);
      const document = {
        origin: head.origin,
        size: head.size,
        root: head.root.toString('base64'),
        signedAt: new Date(head.timestampMs).toISOString(),
        signedNow: final.signed,
        note: final.latest.note,
        verifierKey: verifierKeyText(session.key),
        witnesses: final.witnesses.map((w) => ({ dir: w.dir, status: w.status, error: w.error?.message ?? null })),
      };
      process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    } else {
      process.stdout.write(final.latest.note);
    }
    return witnessFailures > 0 ? exitCodes.problems : exitCodes.ok;
  } finally {
    await store.close();
  }
}

import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { CONSISTENCY_BUNDLE_FORMAT, verifyConsistencyBundle } from '../../ledger/consistency-bundle.js';
import { readVerifierKey } from '../../ledger/ledger-identity.js';
import { LedgerSession } from '../../ledger/ledger-session.js';
import { PROOF_BUNDLE_FORMAT, verifyProofBundle } from '../../ledger/offline-verify.js';
import { ProofNotPossible, consistencyBundle, inclusionBundle } from '../../ledger/proof-bundles.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { UsageError, exitCodes } from '../exit.js';
import { dataDirOption, positiveInteger } from '../options.js';
import { signingKeyOption } from './ledger-options.js';

interface ProofOptions {
  dataDir: string;
  signingKey?: string;
  consistency: boolean;
}

interface ProofVerifyOptions {
  publicKey: string;
  oldCheckpoint?: string;
  output: 'text' | 'json';
}

export function register(program: Command): void {
  const proof = program
    .command('proof')
    .description('Print a proof an auditor can check with only the public key: that a record is in the log, or that the log only grew')
    .argument('[args...]', 'EVENT_ID, or with --consistency: OLD_SIZE [NEW_SIZE]')
    .addOption(dataDirOption())
    .addOption(signingKeyOption())
    .option('--consistency', 'prove that the log of OLD_SIZE leaves is a prefix of the one of NEW_SIZE (default: the newest checkpoint)', false)
    .addHelpText(
      'after',
      `
Examples:
  vigil proof 0197a3c2e1f0d4b2a9c81e7f > proof.json
  vigil proof --consistency 1000 > growth.json
  vigil proof verify proof.json --public-key "$(cat vigil.pub)"`,
    )
    .action(async (args: string[], options: ProofOptions) => {
      process.exitCode = await runProof(args, options);
    });
  proof
    .command('verify')
    .description('Check a proof bundle offline with the public key (vigil checkpoint --public-key), without the store')
    .argument('<bundle>', 'the JSON printed by vigil proof; - for stdin')
    .requiredOption('--public-key <key>', 'the verifier key (text or file)')
    .option('--old-checkpoint <file>', 'for a consistency proof: the old checkpoint you kept (instead of the one in the bundle)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (bundle: string, options: ProofVerifyOptions) => {
      process.exitCode = await runProofVerify(bundle, options);
    });
}

async function runProof(args: string[], options: ProofOptions): Promise<number> {
  if (options.consistency ? args.length < 1 || args.length > 2 : args.length !== 1) {
    throw new UsageError('usage: vigil proof EVENT_ID, or vigil proof --consistency OLD_SIZE [NEW_SIZE]');
  }
  const store = SqliteStore.open(options.dataDir, { mustExist: true });
  try {
    const session = await LedgerSession.open(store, { dataDir: options.dataDir, keyFile: options.signingKey, witnessDirs: [] }, (message) =>
      process.stderr.write(`vigil: ${message}\n`),
    );
    const signNow = async () => (await session.finish()).final.latest;
    const bundle = options.consistency
      ? await consistencyBundle(store.db, positiveInteger('OLD_SIZE')(args[0]), args[1] === undefined ? undefined : positiveInteger('NEW_SIZE')(args[1]), signNow)
      : await inclusionBundle(store.db, args[0], session.key, signNow);
    process.stdout.write(`${JSON.stringify(bundle, null, 2)}\n`);
    return exitCodes.ok;
  } catch (error) {
    if (!(error instanceof ProofNotPossible)) throw error;
    process.stderr.write(`vigil: ${error.message}\n`);
    return exitCodes.problems;
  } finally {
    await store.close();
  }
}

async function runProofVerify(path: string, options: ProofVerifyOptions): Promise<number> {
  const text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  let bundle: unknown;
  try {
    bundle = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not JSON (${(error as Error).message}); pass the output of vigil proof`);
  }
  const key = await readVerifierKey(options.publicKey);
  const format = (bundle as { format?: unknown } | null)?.format;
  const oldCheckpoint = options.oldCheckpoint === undefined ? undefined : await readFile(options.oldCheckpoint, 'utf8');
  const verdict = format === CONSISTENCY_BUNDLE_FORMAT ? verifyConsistencyBundle(bundle, key, oldCheckpoint) : verifyProofBundle(bundle, key);
  if (options.output === 'json') process.stdout.write(`${JSON.stringify(verdict, null, 2)}\n`);
  else process.stdout.write(`${describeVerdict(verdict, format)}\n`);
  return verdict.valid ? exitCodes.ok : exitCodes.problems;
}

function describeVerdict(verdict: ReturnType<typeof verifyProofBundle> | ReturnType<typeof verifyConsistencyBundle>, format: unknown): string {
  if (!verdict.valid) return `INVALID: ${verdict.reason}`;
  if ('leafIndex' in verdict) {
    return `valid: the record is leaf ${verdict.leafIndex} of ${verdict.origin}'s log of ${verdict.treeSize} records, signed ${verdict.signedAt}`;
  }
  if ('oldSize' in verdict) {
    return `valid: ${verdict.origin}'s log of ${verdict.newSize} records (signed ${verdict.newSignedAt}) extends the one of ${verdict.oldSize} (signed ${verdict.oldSignedAt}) without changing it`;
  }
  return `valid ${String(format ?? PROOF_BUNDLE_FORMAT)}`;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

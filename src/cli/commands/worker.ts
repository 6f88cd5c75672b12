import type { Command, Option } from 'commander';
import { partitionMapping } from '../../bus/subjects.js';
import { positiveInteger } from '../options.js';
import { signingKeyOption, witnessOption } from './ledger-options.js';

export interface WorkerCliOptions {
  bus: string;
  store: string;
  partitions: string;
  rules: string;
  alerts?: string;
  name?: string;
  signingKey?: string;
  witness: string[];
  leaseTtl: number;
  ackWait: number;
  maxAckPending: number;
  batch: number;
  logLevel: string;
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('Scale-out: consume partitions of the NATS JetStream bus, detect, and store (vigil serve --bus publishes to it)')
    .requiredOption('--bus <url>', 'the NATS server, e.g. nats://nats.vigil.svc:4222')
    .requiredOption('--store <url>', 'where partitions are stored: clickhouse://host:8123/db (ledger log p<N> per partition) or a directory (one SQLite data dir per partition)')
    .requiredOption('--partitions <ranges>', 'partitions this worker may own, e.g. 0-3 or 0,2; overlapping workers take over each other')
    .option('--rules <builtin|path|none>', 'detection rules run on each partition; alerts land in the alert store', 'builtin')
    .option('--alerts <url>', 'where alerts go (default: the ClickHouse store, or <dir>/alerts beside SQLite partitions)')
    .option('--name <id>', 'this worker in partition leases and logs (default host-pid)')
    .addOption(workerSigningKeyOption())
    .addOption(witnessOption('copy every checkpoint of each partition to <dir>/p<N> (repeatable; ideally another volume)'))
    .option('--lease-ttl <ms>', "a dead worker's partitions are taken over this long after its last renewal", positiveInteger('--lease-ttl'), 15_000)
    .option('--ack-wait <ms>', 'a record delivered but not acknowledged is delivered again after this', positiveInteger('--ack-wait'), 30_000)
    .option('--max-ack-pending <n>', 'records delivered and not yet acknowledged, per partition', positiveInteger('--max-ack-pending'), 5000)
    .option('--batch <n>', 'records stored per append', positiveInteger('--batch'), 1000)
    .option('--log-level <level>', 'log level (pino)', 'info')
    .addHelpText(
      'after',
      `
Receivers (vigil serve --bus) publish to vigil.records.<entity>; nats-server maps that to
vigil.part.<p>.<entity> with an account mapping (nats-server 2.8+), which must be in its config
and name the partition count the workers' --partitions cover, e.g. for 4 partitions:
${partitionMapping(4)}
A worker reads the count back from that block's second line and refuses --partitions beyond it.

Each partition is its own Merkle log (p0, p1, …), signed about once a second while records
arrive and once more when the worker lets go of it. With ClickHouse every worker must sign with
the same Ed25519 key (--signing-key or $VIGIL_SIGNING_KEY; required there), e.g. a Kubernetes
Secret made once with:
  openssl genpkey -algorithm ed25519 -out vigil-ledger.key && chmod 600 vigil-ledger.key
The worker prints the verifier key at start; keep it away from the workers and check with:
  vigil verify --store clickhouse://127.0.0.1:8123/vigil --public-key 'vigil/<id>+…' --witness /mnt/witness
With a SQLite directory each partition's data dir signs as any data dir (default <dir>/p<N>/ledger.key).

Example, two workers sharing four partitions:
  vigil worker --bus nats://127.0.0.1:4222 --store clickhouse://127.0.0.1:8123/vigil --partitions 0-3 --signing-key vigil-ledger.key
  vigil worker --bus nats://127.0.0.1:4222 --store clickhouse://127.0.0.1:8123/vigil --partitions 0-3 --signing-key vigil-ledger.key`,
    )
    .action(async (options: WorkerCliOptions) => {
      // The bus and store clients load only for this command: every other one would pay for their import.
      await (await import('./worker-run.js')).runWorker(options);
    });
}

/** `--signing-key` as for the other commands, with what it means for a worker, which has no data dir. */
function workerSigningKeyOption(): Option {
  const option = signingKeyOption();
  option.description = 'Ed25519 private key (PEM) signing every partition\'s checkpoints; required with clickhouse:// (the same file on every worker); default <dir>/p<N>/ledger.key with a SQLite directory';
  return option;
}

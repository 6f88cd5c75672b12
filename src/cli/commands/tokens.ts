import { type Command, Option } from 'commander';
import { ROLES, type Role, TokenStore } from '../../server/auth/token-store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { exitCodes } from '../exit.js';
import { type OutputFormat, dataDirOption, outputOption } from '../options.js';
import { render } from '../render.js';

export function register(program: Command): void {
  const tokens = program.command('tokens').description('Manage API bearer tokens (stored hashed)');
  tokens
    .command('create')
    .description('Create a token and print its secret once')
    .requiredOption('--name <name>', 'who or what uses it, e.g. prod-apiserver')
    .addOption(new Option('--role <role>', 'what it may do').choices(ROLES).default('viewer'))
    .option('--cluster <name>', 'bind an ingest token to one cluster: what it sends is stored under this name')
    .addOption(dataDirOption())
    .addHelpText('after', '\nExample:\n  vigil tokens create --name prod-apiserver --role ingest --cluster prod')
    .action((options: { name: string; role: Role; cluster?: string; dataDir: string }) =>
      withTokens(options.dataDir, (store) => {
        const { secret, info } = store.create(options.name, options.role, options.cluster ?? null);
        process.stdout.write(`${secret}\n`);
        process.stderr.write(`token ${info.id} (${info.role}${info.cluster ? `, cluster ${info.cluster}` : ''}) created; the secret is not shown again\n`);
      }),
    );
  tokens
    .command('list')
    .description('List tokens (never their secrets)')
    .addOption(outputOption())
    .addOption(dataDirOption())
    .action((options: { output: OutputFormat; dataDir: string }) =>
      withTokens(options.dataDir, (store) => {
        const list = store.list();
        const columns = ['id', 'name', 'role', 'cluster', 'created', 'revoked'];
        const rows = list.map((t) => [t.id, t.name, t.role, t.cluster, new Date(t.createdAt).toISOString(), t.revokedAt ? new Date(t.revokedAt).toISOString() : null]);
        process.stdout.write(render(options.output, list, () => ({ columns, rows })));
      }),
    );
  tokens
    .command('revoke')
    .description('Revoke a token by id')
    .argument('<id>')
    .addOption(dataDirOption())
    .action((id: string, options: { dataDir: string }) =>
      withTokens(options.dataDir, (store) => {
        if (!store.revoke(id)) {
          process.stderr.write(`vigil: no live token with id "${id}"; see vigil tokens list\n`);
          process.exitCode = exitCodes.problems;
        }
      }),
    );
}

async function withTokens(dataDir: string, work: (tokens: TokenStore) => void): Promise<void> {
  const store = SqliteStore.open(dataDir);
  try {
    work(new TokenStore(store.db));
  } finally {
    await store.close();
  }
}

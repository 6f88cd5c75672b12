import type { StoredQuarantineItem } from '../../store/store.js';
import { exitCodes } from '../exit.js';

export function printQuarantine(items: readonly StoredQuarantineItem[]): number {
  if (items.length === 0) {
    process.stdout.write('nothing quarantined\n');
    return exitCodes.ok;
  }
  for (const item of items) {
    const when = new Date(item.receivedAt).toISOString();
    process.stdout.write(`#${item.seq} ${when} ${item.source} ${item.position}: ${item.reason}\n  ${item.sample.slice(0, 200).replaceAll('\n', '\\n')}\n`);
  }
  return exitCodes.ok;
}

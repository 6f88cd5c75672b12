// A stand-in for `journalctl -f -o json` (no journald runs here): prints the entries of a file
// after the cursor it is given, records how it was called, and follows (stays up) until killed,
// or exits with an error after N entries to play a crashed journalctl.
import { appendFileSync, readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const valueOf = (name) => {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
};
const entries = readFileSync(valueOf('--entries'), 'utf8').split('\n').filter(Boolean);
const record = valueOf('--record');
if (record) appendFileSync(record, `${JSON.stringify(args.filter((arg) => arg.startsWith('--') && !['--entries', '--record', '--exit-after'].includes(arg)))}\n`);
const after = args.find((arg) => arg.startsWith('--after-cursor='))?.slice('--after-cursor='.length);
let start = 0;
if (after !== undefined) {
  start = entries.findIndex((line) => JSON.parse(line).__CURSOR === after) + 1;
  if (start === 0) {
    process.stderr.write('Failed to seek to cursor: Invalid argument\n');
    process.exit(1);
  }
}
const exitAfter = valueOf('--exit-after');
const shown = exitAfter === undefined ? entries.slice(start) : entries.slice(start, start + Number(exitAfter));
process.stdout.write(shown.map((line) => `${line}\n`).join(''), () => {
  if (exitAfter !== undefined && start + Number(exitAfter) < entries.length) {
    process.stderr.write('Journal file corrupted, ignoring file.\n');
    process.exit(1);
  }
  // Follow until killed, or until Vigil is gone (then this process is re-parented).
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 100);
});

/**
 * Builds demo/demo-cluster-audit.log.gz, the demo cluster's audit log that `vigil demo` loads:
 * the detection scenarios' normal day of a four-node cluster with every attack scenario mixed
 * in. Synthetic, written by Vigil's own scenario builders (test/detect/scenarios/).
 * Rebuild: npx vite-node demo/build-demo.ts
 */
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { ATTACKS } from '../test/detect/scenarios/attacks.js';
import { sortByTime } from '../test/detect/scenarios/audit-builder.js';
import { normalDay } from '../test/detect/scenarios/normal-day.js';

const kept = normalDay().filter((event) => !ATTACKS.some((attack) => attack.removes?.(event)));
const events = sortByTime([...kept, ...ATTACKS.flatMap((attack) => attack.events())]);
const text = events.map((event) => JSON.stringify(event)).join('\n') + '\n';
const out = new URL('./demo-cluster-audit.log.gz', import.meta.url);
writeFileSync(out, gzipSync(text, { level: 9 }));
process.stdout.write(`wrote ${events.length} events to ${out.pathname}\n`);

import { writeFileSync } from 'node:fs';

/**
 * Preloaded into a measured Node process (`node --import …/rss-probe.js`) when GNU time is not
 * installed: at exit it writes the process's own peak RSS and CPU time to $VIGIL_BENCH_USAGE_FILE.
 */
const target = process.env.VIGIL_BENCH_USAGE_FILE;
if (target !== undefined) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(target, JSON.stringify({ maxRssKiB: usage.maxRSS, userSeconds: usage.userCPUTime / 1e6, systemSeconds: usage.systemCPUTime / 1e6 }));
  });
}

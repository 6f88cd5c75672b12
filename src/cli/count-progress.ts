import cliProgress from 'cli-progress';
import type { Progress } from './progress.js';

/** How long a command must run before a progress bar is worth showing. */
const SHOW_AFTER_MS = 2000;

/**
 * A progress bar over a count of items (records, not bytes) on stderr, only on a terminal and
 * only once the work has taken a couple of seconds. It polls `done()` off the hot path.
 */
export function countProgress(total: number, done: () => number, label: string, unit: string): Progress {
  if (!process.stderr.isTTY || total <= 0) return { stop() {} };
  let bar: cliProgress.SingleBar | undefined;
  const timer = setInterval(() => {
    if (!bar) {
      bar = new cliProgress.SingleBar(
        { format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | eta {eta_formatted}`, stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    }
    bar.update(Math.min(total, done()));
  }, SHOW_AFTER_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      bar?.stop();
    },
  };
}

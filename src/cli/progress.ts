import cliProgress from 'cli-progress';

/** How long a command must run before a progress bar is worth showing. */
const SHOW_AFTER_MS = 2000;

export interface Progress {
  stop(): void;
}

/**
 * A byte-based progress bar on stderr, only on a terminal and only once the work has taken a
 * couple of seconds; piped or quick runs stay quiet. It polls `done()` off the hot path.
 */
export function byteProgress(totalBytes: number | undefined, done: () => number, label: string): Progress {
  if (!process.stderr.isTTY || !totalBytes) return { stop() {} };
  const total = Math.max(1, Math.ceil(totalBytes / 2 ** 20));
  let bar: cliProgress.SingleBar | undefined;
  const timer = setInterval(() => {
    if (!bar) {
      bar = new cliProgress.SingleBar(
        { format: `${label} [{bar}] {percentage}% | {value}/{total} MiB | eta {eta_formatted}`, stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    }
    bar.update(Math.min(total, Math.floor(done() / 2 ** 20)));
  }, SHOW_AFTER_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      bar?.stop();
    },
  };
}

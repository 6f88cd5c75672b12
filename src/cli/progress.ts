import cliProgress from 'cli-progress';

/** How long a command must run before a progress bar is worth showing. */
const SHOW_AFTER_MS = 2000;

export interface Progress {
  advance(bytes: number): void;
  stop(): void;
}

/**
 * A byte-based progress bar on stderr, only on a terminal and only once the work has taken a
 * couple of seconds; piped or quick runs stay quiet.
 */
export function byteProgress(totalBytes: number | undefined, label: string): Progress {
  if (!process.stderr.isTTY || !totalBytes) return { advance() {}, stop() {} };
  const started = Date.now();
  let done = 0;
  let bar: cliProgress.SingleBar | undefined;
  return {
    advance(bytes) {
      done += bytes;
      if (!bar && Date.now() - started > SHOW_AFTER_MS) {
        bar = new cliProgress.SingleBar(
          { format: `${label} [{bar}] {percentage}% | {value}/{total} MiB | eta {eta_formatted}`, stream: process.stderr, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.ceil(totalBytes / 2 ** 20), 0);
      }
      bar?.update(Math.floor(done / 2 ** 20));
    },
    stop() {
      bar?.stop();
    },
  };
}

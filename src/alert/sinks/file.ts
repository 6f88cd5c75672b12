import { appendFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Notification } from '../notification.js';
import { DeliveryError, type Sink, type SinkType } from './sink.js';

/** Appends each notification as one JSON line to a file, or writes it to standard output (`path: "-"`). */
const schema = z.strictObject({
  path: z.string().min(1),
});
type FileConfig = z.infer<typeof schema>;

class FileSink implements Sink {
  constructor(
    private readonly receiver: string,
    private readonly config: FileConfig,
  ) {}

  async send(notification: Notification): Promise<void> {
    const line = `${JSON.stringify(notification)}\n`;
    if (this.config.path === '-') {
      await new Promise<void>((resolve, reject) => process.stdout.write(line, (error) => (error ? reject(error) : resolve())));
      return;
    }
    try {
      await appendFile(this.config.path, line, { mode: 0o600 });
    } catch (error) {
      throw new DeliveryError(`receiver "${this.receiver}": cannot append to ${this.config.path}: ${(error as Error).message}`);
    }
  }
}

export const fileSinkType: SinkType<FileConfig> = {
  type: 'file',
  description: 'NDJSON lines appended to a file, or stdout with path "-"',
  schema,
  create: (receiver, config) => new FileSink(receiver, config),
};

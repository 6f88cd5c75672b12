import type { Decoded, LineDecoder } from '../source.js';
import { RepeatCounter } from '../repeat-counter.js';
import type { ContainerIdentity } from './identity.js';
import { parseContainerLine } from './log-line.js';
import { type LogicalLine, PartialLines } from './partial-lines.js';
import { containerEvent } from './normalize.js';

/** Largest joined line kept by default; the rest is cut and counted in `truncated_bytes`. */
export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

export interface ContainerDecoderOptions {
  cluster: string;
  identity?: ContainerIdentity;
  maxLineBytes?: number;
}

/** Decodes one container log file (CRI or docker json-file, as the kubelet detects per file). */
export class ContainerLineDecoder implements LineDecoder {
  private readonly partial: PartialLines;
  private readonly repeats = new RepeatCounter();

  constructor(private readonly options: ContainerDecoderOptions) {
    this.partial = new PartialLines(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  }

  decode(line: string, position: string): Decoded {
    const physical = parseContainerLine(line);
    if (!physical) return reject(position, line, 'not a container log line: expected CRI "<time> <stdout|stderr> <P|F> <message>" or docker json-file {"log","stream","time"}');
    if (Number.isNaN(Date.parse(physical.time))) return reject(position, line, `container log line with an invalid timestamp "${physical.time}"`);
    const logical = this.partial.add(physical);
    return { events: logical ? [this.eventOf(logical)] : [], rejections: [] };
  }

  hasPartial(): boolean {
    return this.partial.hasOpen();
  }

  end(): Decoded {
    return { events: this.partial.drain().map((line) => this.eventOf(line)), rejections: [] };
  }

  private eventOf(line: LogicalLine) {
    const repeat = this.repeats.next(line.time, `${line.stream}\u0000${line.message}`);
    return containerEvent(line, this.options.identity, this.options.cluster, repeat);
  }
}

function reject(where: string, text: string, reason: string): Decoded {
  return { events: [], rejections: [{ reason, where, text }] };
}

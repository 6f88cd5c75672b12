import type { SourceKind, VigilEvent } from '../model/event.js';

/** A JSON value (or an item inside it) that a source could not turn into an event. */
export interface Rejection {
  reason: string;
  /** Which part of the value, e.g. `items[3]`; empty for the whole value. */
  where: string;
  text: string;
}

export interface Decoded {
  events: VigilEvent[];
  rejections: Rejection[];
}

export interface DecodeContext {
  cluster: string;
  /** Where the records come from (a file path, `stdin`); some sources read identity from it (container log file names). */
  origin?: string;
}

/**
 * Turns the text lines of one input into events, in order. It may hold lines back until the
 * line that completes them arrives (CRI partial lines), so one decoder serves one input.
 * Rejections carry the position of the offending line in `where`.
 */
export interface LineDecoder {
  decode(line: string, position: string): Decoded;
  /** True while lines read so far are held back waiting for their continuation. */
  hasPartial(): boolean;
  /** The input ended: what is held back becomes events. */
  end(): Decoded;
}

/** How a source reads inputs made of text lines (CRI, syslog) instead of JSON values. */
export interface LineFormat {
  /** True when a text line looks like this source's records; `--source auto` asks it about an input's first line. */
  recognises(line: string): boolean;
  open(context: DecodeContext): LineDecoder;
}

/**
 * One kind of log: recognises its records and turns each parsed JSON value into normalized
 * events. A new source is one file implementing this and one entry in `registry.ts`.
 */
export interface Source {
  kind: SourceKind;
  /** The name users type after `--source`. */
  name: string;
  /** True when a parsed value looks like this source's records (for `--source auto`). */
  recognises(value: unknown): boolean;
  /**
   * @param text the value's JSON text exactly as read, kept verbatim as the stored record
   *   whenever the value is a single record.
   */
  decode(value: unknown, text: string, context: DecodeContext): Decoded;
  /** Present when the source's records can be text lines; an input whose first line it recognises is read line by line. */
  lines?: LineFormat;
}

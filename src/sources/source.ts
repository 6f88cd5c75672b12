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
}

import type { VigilEvent } from '../model/event.js';
import type { ReadBatch } from '../sources/read.js';
import type { QuarantineItem, Store } from '../store/store.js';

export interface IngestSummary {
  accepted: number;
  duplicates: number;
  quarantined: number;
}

export interface IngestHooks {
  /** Called with the events of each batch that were new (duplicates left out), e.g. to run detection. */
  onStored?(events: readonly VigilEvent[]): void | Promise<void>;
  /** Called with each batch's records that went to quarantine (e.g. to count them per source). */
  onQuarantined?(items: readonly QuarantineItem[]): void;
}

/** Stores decoded batches in order, quarantining what could not be read; one transaction per batch. */
export async function ingestBatches(batches: AsyncIterable<ReadBatch>, store: Store, hooks: IngestHooks = {}): Promise<IngestSummary> {
  const summary: IngestSummary = { accepted: 0, duplicates: 0, quarantined: 0 };
  for await (const batch of batches) {
    await addBatch(batch, store, summary, hooks);
  }
  return summary;
}

export async function addBatch(batch: ReadBatch, store: Store, summary: IngestSummary, hooks: IngestHooks = {}): Promise<void> {
  if (batch.quarantined.length > 0) {
    await store.quarantine(batch.quarantined);
    summary.quarantined += batch.quarantined.length;
    hooks.onQuarantined?.(batch.quarantined);
  }
  if (batch.events.length === 0) return;
  const result = await store.append(batch.events);
  summary.accepted += result.accepted;
  summary.duplicates += result.duplicates;
  await hooks.onStored?.(result.acceptedEvents);
}

export function formatSummary(summary: IngestSummary): string {
  return `accepted ${summary.accepted}, duplicates ${summary.duplicates}, quarantined ${summary.quarantined}`;
}

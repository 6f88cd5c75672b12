import type { IngestHooks } from '../../ingest/ingest.js';
import type { SourceHealthRecorder } from './source-health.js';

/** Adds source-health counting to ingest hooks; the hooks given keep running after it. */
export function withSourceHealth(recorder: SourceHealthRecorder, hooks: IngestHooks = {}): IngestHooks {
  return {
    ...hooks,
    onStored: (events) => {
      recorder.stored(events);
      return hooks.onStored?.(events);
    },
    onQuarantined: (items) => {
      recorder.quarantined(items);
      return hooks.onQuarantined?.(items);
    },
  };
}

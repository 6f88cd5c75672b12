import type { VigilEvent } from '../model/event.js';
import { eventId } from '../model/event-id.js';
import type { CloudOrigin } from './cloud-audit.js';
import { parseKlog } from './klog.js';

/** A log line of a managed control-plane component (API server, controller manager, scheduler, Entra ID guard). */
export interface ControlPlaneLine {
  source: 'cloud.eks' | 'cloud.aks';
  cluster: string;
  timestamp: number;
  line: string;
  /** The envelope as stored; it decodes back to this line. */
  record: string;
  dedupKey: string;
  origin: CloudOrigin;
  category?: string;
}

/** Keeps a component's log line searchable, with its klog severity when the line has a klog header. */
export function controlPlaneLineEvent(input: ControlPlaneLine): VigilEvent {
  const klog = parseKlog(input.line);
  return {
    id: eventId(input.timestamp, input.cluster, input.source, input.dedupKey),
    timestamp: input.timestamp,
    source: input.source,
    cluster: input.cluster,
    dedupKey: input.dedupKey,
    kind: 'event',
    category: input.category,
    outcome: 'unknown',
    ...input.origin,
    message: klog?.message ?? input.line,
    logLevel: klog?.level,
    raw: klog ? { log: input.line, level: klog.level, location: klog.location } : { log: input.line },
    record: input.record,
  };
}

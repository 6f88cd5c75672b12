import type { Outcome, VigilEvent } from '../model/event.js';
import { eventId } from '../model/event-id.js';
import { type Json, describeValue, isObject, num, str, timeOf } from './json-value.js';
import { contentKey } from './record-identity.js';
import type { Decoded, Source } from './source.js';

/** Verdicts of cilium/cilium api/v1/flow/flow.proto. */
const VERDICTS = new Set(['VERDICT_UNKNOWN', 'FORWARDED', 'DROPPED', 'ERROR', 'AUDIT', 'REDIRECTED', 'TRACED', 'TRANSLATED']);
const OUTCOMES: Readonly<Record<string, Outcome>> = { FORWARDED: 'success', REDIRECTED: 'success', TRANSLATED: 'success', TRACED: 'success', DROPPED: 'failure', ERROR: 'failure' };

function isFlow(value: unknown): boolean {
  return (
    isObject(value) &&
    typeof value.verdict === 'string' &&
    VERDICTS.has(value.verdict) &&
    typeof value.time === 'string' &&
    (isObject(value.IP) || isObject(value.l4) || isObject(value.ethernet) || isObject(value.source))
  );
}

/** A GetFlowsResponse line (`hubble observe -o jsonpb`, the exporter's files) or a bare Flow (`-o json`). */
function flowResponseKind(value: unknown): 'flow' | 'bare' | 'lost' | 'status' | undefined {
  if (!isObject(value)) return undefined;
  if (isFlow(value.flow)) return 'flow';
  if (isFlow(value)) return 'bare';
  if (isObject(value.lost_events) && typeof value.time === 'string') return 'lost';
  if (isObject(value.node_status) && typeof value.time === 'string') return 'status';
  return undefined;
}

/**
 * Cilium Hubble flows (`net.flow`): verdict, drop reason, L3/L4/L7 and the endpoints' identities,
 * namespaces and pods. Lost-events and node-status frames of the same stream are kept too: a
 * lost-events frame is a gap in what Hubble saw.
 */
export const hubbleSource: Source = {
  kind: 'net.flow',
  name: 'hubble',

  recognises(value) {
    return flowResponseKind(value) !== undefined;
  },

  decode(value, text, context) {
    const decoded: Decoded = { events: [], rejections: [] };
    const kind = flowResponseKind(value);
    if (kind === undefined) {
      decoded.rejections.push({ reason: `not a Hubble flow record (flow with verdict and time, lost_events, node_status), got ${describeValue(value)}`, where: '', text });
      return decoded;
    }
    const response = value as Json;
    const flow = kind === 'flow' ? (response.flow as Json) : kind === 'bare' ? response : undefined;
    const timestamp = timeOf(flow?.time) ?? timeOf(response.time);
    if (timestamp === undefined) {
      decoded.rejections.push({ reason: 'Hubble record whose "time" is not an RFC 3339 time', where: '', text });
      return decoded;
    }
    const at = { timestamp, record: text, cluster: context.cluster };
    // Rules address `flow.*` whichever shape the line had.
    const raw = kind === 'bare' ? { flow: response } : response;
    decoded.events.push(flow ? flowEvent(flow, raw, at) : frameEvent(kind as 'lost' | 'status', response, at));
    return decoded;
  },
};

/** When and as what a record was read. */
interface Read {
  timestamp: number;
  record: string;
  cluster: string;
}

/** `raw` is the GetFlowsResponse (a bare flow wrapped as one), so node_name sits beside the flow. */
function flowEvent(flow: Json, raw: Json, { timestamp, record, cluster }: Read): VigilEvent {
  const dedupKey = str(flow.uuid) ?? contentKey(record);
  const ip = isObject(flow.IP) ? flow.IP : {};
  const source = isObject(flow.source) ? flow.source : {};
  const http = httpOf(flow);
  const verdict = String(flow.verdict);
  return {
    ...flowIdentity(timestamp, cluster, dedupKey),
    action: verdict.toLowerCase(),
    outcome: OUTCOMES[verdict] ?? 'unknown',
    sourceIp: str(ip.source),
    namespace: str(source.namespace),
    podName: str(source.pod_name),
    hostName: str(flow.node_name) ?? str(raw.node_name),
    statusCode: num(http?.code),
    requestUri: str(http?.url),
    message: describeFlow(flow, verdict),
    raw,
    record,
  };
}

function httpOf(flow: Json): Json | undefined {
  const l7 = isObject(flow.l7) ? flow.l7 : undefined;
  return l7 && isObject(l7.http) ? l7.http : undefined;
}

/** `default/xwing 10.244.1.60:44916 -> default/deathstar 10.244.1.5:80 TCP SYN DROPPED (POLICY_DENIED)`. */
function describeFlow(flow: Json, verdict: string): string {
  const ip = isObject(flow.IP) ? flow.IP : {};
  const { protocol, sourcePort, destinationPort, flags } = transportOf(flow);
  const side = (endpoint: unknown, address: unknown, port: number | undefined) => {
    const named = isObject(endpoint) && str(endpoint.pod_name) ? `${str(endpoint.namespace) ?? ''}/${str(endpoint.pod_name)} ` : '';
    return `${named}${str(address) ?? '?'}${port === undefined ? '' : `:${port}`}`;
  };
  const reason = str(flow.drop_reason_desc);
  const parts = [side(flow.source, ip.source, sourcePort), '->', side(flow.destination, ip.destination, destinationPort), protocol, flags, verdict];
  return `${parts.filter(Boolean).join(' ')}${reason ? ` (${reason})` : ''}`;
}

function transportOf(flow: Json): { protocol?: string; sourcePort?: number; destinationPort?: number; flags?: string } {
  const l4 = isObject(flow.l4) ? flow.l4 : {};
  for (const [protocol, layer] of Object.entries(l4)) {
    if (!isObject(layer)) continue;
    const flags = isObject(layer.flags) ? Object.keys(layer.flags).filter((flag) => (layer.flags as Json)[flag] === true).join(',') : undefined;
    return { protocol, sourcePort: num(layer.source_port), destinationPort: num(layer.destination_port), flags: flags || undefined };
  }
  return {};
}

function frameEvent(kind: 'lost' | 'status', response: Json, { timestamp, record, cluster }: Read): VigilEvent {
  const dedupKey = contentKey(record);
  const frame = (kind === 'lost' ? response.lost_events : response.node_status) as Json;
  const message =
    kind === 'lost'
      ? `Hubble lost ${num(frame.num_events_lost) ?? '?'} event(s) (${str(frame.source) ?? 'unknown source'})`
      : `Hubble node status ${str(frame.state_change) ?? ''}: ${Array.isArray(frame.node_names) ? frame.node_names.join(', ') : ''} ${str(frame.message) ?? ''}`.trim();
  return {
    ...flowIdentity(timestamp, cluster, dedupKey),
    action: kind === 'lost' ? 'lost-events' : 'node-status',
    outcome: 'unknown',
    hostName: str(response.node_name),
    message,
    logLevel: kind === 'lost' ? 'warning' : 'info',
    raw: response,
    record,
  };
}

/** What every Hubble event (flow, lost events, node status) has in common. */
function flowIdentity(timestamp: number, cluster: string, dedupKey: string) {
  return { id: eventId(timestamp, cluster, 'net.flow', dedupKey), timestamp, source: 'net.flow', cluster, dedupKey, kind: 'event', category: 'network' } as const;
}

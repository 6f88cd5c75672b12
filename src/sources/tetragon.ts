import type { VigilEvent } from '../model/event.js';
import { eventId } from '../model/event-id.js';
import { type Json, describeValue, isObject, str, timeOf } from './json-value.js';
import { contentKey } from './record-identity.js';
import type { Decoded, Source } from './source.js';

/** The event kinds of Tetragon's JSON export (api/v1/tetragon/events.proto, GetEventsResponse oneof). */
const EVENT_KEYS = [
  'process_exec',
  'process_exit',
  'process_kprobe',
  'process_tracepoint',
  'process_uprobe',
  'process_lsm',
  'process_usdt',
  'process_loader',
  'process_throttle',
] as const;

function eventKeyOf(value: unknown): string | undefined {
  if (!isObject(value) || (typeof value.time !== 'string' && typeof value.node_name !== 'string')) return undefined;
  const keys = EVENT_KEYS.filter((key) => isObject(value[key]));
  return keys.length === 1 ? keys[0] : undefined;
}

/**
 * Tetragon runtime-security events (`runtime.tetragon`): one JSON object a line as the export
 * file, `tetra getevents -o json` or the export-stdout container write. The process (binary,
 * arguments, uid), its pod, container and node become normalized fields; kprobe, tracepoint and
 * LSM hooks keep their function and arguments in the record for rules to address
 * (`process_kprobe.args.file_arg.path`).
 */
export const tetragonSource: Source = {
  kind: 'runtime.tetragon',
  name: 'tetragon',

  recognises(value) {
    return eventKeyOf(value) !== undefined;
  },

  decode(value, text, context) {
    const decoded: Decoded = { events: [], rejections: [] };
    const key = eventKeyOf(value);
    const response = value as Json;
    const timestamp = timeOf(response.time);
    if (key === undefined || timestamp === undefined) {
      const reason = key === undefined ? `not a Tetragon event (one of ${EVENT_KEYS.join(', ')} with time), got ${describeValue(value)}` : 'Tetragon event whose "time" is not an RFC 3339 time';
      decoded.rejections.push({ reason, where: '', text });
      return decoded;
    }
    decoded.events.push(runtimeEvent(key, response, text, timestamp, context.cluster));
    return decoded;
  },
};

function runtimeEvent(key: string, response: Json, record: string, timestamp: number, cluster: string): VigilEvent {
  const body = response[key] as Json;
  const process = isObject(body.process) ? body.process : {};
  const pod = isObject(process.pod) ? process.pod : {};
  const container = isObject(pod.container) ? pod.container : {};
  const hook = str(body.function_name) ?? str(body.event) ?? str(body.subsys);
  const execId = str(process.exec_id);
  const dedupKey = execId ? `${key}\u0000${execId}\u0000${String(response.time)}\u0000${hook ?? ''}` : contentKey(record);
  const action = key.slice('process_'.length);
  return {
    id: eventId(timestamp, cluster, 'runtime.tetragon', dedupKey),
    timestamp,
    source: 'runtime.tetragon',
    cluster,
    dedupKey,
    kind: 'event',
    category: 'process',
    action,
    outcome: 'unknown',
    userName: isObject(process.user) ? str(process.user.name) : undefined,
    namespace: str(pod.namespace),
    podName: str(pod.name),
    containerId: str(container.id),
    hostName: str(response.node_name),
    message: describe(action, hook, process),
    raw: response,
    record,
  };
}

/** `exec /usr/bin/curl -s http://… in default/xwing` or `kprobe security_file_permission by /usr/bin/cat`. */
function describe(action: string, hook: string | undefined, process: Json): string {
  const command = [str(process.binary), str(process.arguments)].filter(Boolean).join(' ') || 'unknown process';
  const pod = isObject(process.pod) && str(process.pod.name) ? ` in ${str(process.pod.namespace) ?? ''}/${str(process.pod.name)}` : '';
  return hook ? `${action} ${hook} by ${command}${pod}` : `${action} ${command}${pod}`;
}

import type { VigilEvent } from '../model/event.js';
import { eventId } from '../model/event-id.js';
import { type Json, describeValue, isObject, num, str, timeOf } from './json-value.js';
import { parseNginxAccessLine, splitRequestLine, timeLocalToMs } from './nginx-access-line.js';
import { contentKey } from './record-identity.js';
import type { Decoded, DecodeContext, LineDecoder, Source } from './source.js';

/** Keys that only an nginx access log (with upstream data) has, telling it from other JSON logs. */
const NGINX_MARKERS = ['request_time', 'upstream_addr', 'upstream_status', 'upstream_response_time', 'proxy_upstream_name', 'req_id', 'ingress_name'];
const REMOTE_KEYS = ['remote_addr', 'remote_address', 'client_ip', 'clientip'];
const TIME_KEYS = ['time_iso8601', '@timestamp', 'time', 'timestamp'];
const URI_KEYS = ['request_uri', 'uri', 'path', 'urlpath'];
const METHOD_KEYS = ['request_method', 'method'];
const AGENT_KEYS = ['http_user_agent', 'user_agent', 'useragent'];

const pick = (fields: Json, keys: readonly string[]): string | undefined => {
  for (const key of keys) {
    const value = fields[key];
    if (typeof value === 'string' && value !== '' && value !== '-') return value;
  }
  return undefined;
};

/** A JSON access log written with `log-format-upstream` set to JSON, keyed by nginx variable names. */
function isJsonAccessLog(value: unknown): value is Json {
  if (!isObject(value) || num(value.status) === undefined || pick(value, REMOTE_KEYS) === undefined) return false;
  const hasRequest = typeof value.request === 'string' || (pick(value, METHOD_KEYS) !== undefined && pick(value, URI_KEYS) !== undefined);
  return hasRequest && NGINX_MARKERS.some((key) => key in value);
}

/**
 * ingress-nginx controller access logs (`net.ingress`): lines in the default
 * `log-format-upstream` (text inputs are read line by line) and JSON log formats keyed by nginx
 * variable names (`remote_addr`, `status`, `request_uri`, …). A line is stored as its parsed
 * fields plus the line itself, which reads back as a JSON access log with the same event.
 */
export const ingressNginxSource: Source = {
  kind: 'net.ingress',
  name: 'ingress-nginx',

  recognises(value) {
    return isJsonAccessLog(value);
  },

  decode(value, text, context) {
    const decoded: Decoded = { events: [], rejections: [] };
    if (isJsonAccessLog(value)) decodeJson(value, text, context, decoded);
    else decoded.rejections.push({ reason: `not an ingress-nginx access log record (JSON with remote_addr, status, request), got ${describeValue(value)}`, where: '', text });
    return decoded;
  },

  lines: {
    recognises: (line) => parseNginxAccessLine(line) !== undefined,
    open: (context): LineDecoder => ({
      decode(line, position) {
        const decoded: Decoded = { events: [], rejections: [] };
        decodeLine(line, position, context, decoded);
        return decoded;
      },
      hasPartial: () => false,
      end: () => ({ events: [], rejections: [] }),
    }),
  },
};

function decodeLine(line: string, where: string, context: DecodeContext, into: Decoded): void {
  const fields = parseNginxAccessLine(line);
  const timestamp = fields && typeof fields.time_local === 'string' ? timeLocalToMs(fields.time_local) : undefined;
  if (fields === undefined || timestamp === undefined) {
    into.rejections.push({ reason: 'not an ingress-nginx access line in the default log-format-upstream', where, text: line });
    return;
  }
  const request = splitRequestLine(String(fields.request ?? ''));
  const raw: Json = { line, ...fields, request_method: request.method, request_uri: request.uri, server_protocol: request.protocol };
  for (const key of Object.keys(raw)) if (raw[key] === undefined) delete raw[key];
  into.events.push(accessEvent(raw, JSON.stringify(raw), timestamp, context.cluster));
}

function decodeJson(fields: Json, text: string, context: DecodeContext, into: Decoded): void {
  const timestamp = jsonTime(fields);
  if (timestamp === undefined) {
    into.rejections.push({ reason: `ingress-nginx JSON access log without a readable time (${[...TIME_KEYS, 'time_local', 'msec'].join(', ')})`, where: '', text });
    return;
  }
  into.events.push(accessEvent(fields, text, timestamp, context.cluster));
}

function jsonTime(fields: Json): number | undefined {
  for (const key of TIME_KEYS) {
    const ms = timeOf(fields[key]);
    if (ms !== undefined) return ms;
  }
  if (typeof fields.time_local === 'string') return timeLocalToMs(fields.time_local);
  const seconds = num(fields.msec);
  return seconds === undefined ? undefined : Math.round(seconds * 1000);
}

/** One HTTP request through the ingress: the client, what it asked for and what it got. */
function accessEvent(fields: Json, record: string, timestamp: number, cluster: string): VigilEvent {
  const status = num(fields.status);
  const request = typeof fields.request === 'string' ? splitRequestLine(fields.request) : {};
  const method = pick(fields, METHOD_KEYS) ?? request.method;
  const uri = pick(fields, URI_KEYS) ?? request.uri;
  const dedupKey = contentKey(record);
  const ingress = str(fields.ingress_name);
  return {
    id: eventId(timestamp, cluster, 'net.ingress', dedupKey),
    timestamp,
    source: 'net.ingress',
    cluster,
    dedupKey,
    kind: 'event',
    category: 'web',
    action: method,
    outcome: status === undefined ? 'unknown' : status < 400 ? 'success' : 'failure',
    userName: pick(fields, ['remote_user']),
    sourceIp: pick(fields, REMOTE_KEYS),
    userAgent: pick(fields, AGENT_KEYS),
    namespace: str(fields.namespace),
    resourceType: ingress ? 'ingresses' : undefined,
    resourceName: ingress,
    statusCode: status,
    requestUri: uri,
    message: `${method ?? '-'} ${uri ?? '-'} ${status ?? '-'}`,
    raw: fields,
    record,
  };
}

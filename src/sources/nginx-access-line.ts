/**
 * ingress-nginx's default `log-format-upstream` (kubernetes/ingress-nginx
 * internal/ingress/controller/config/config.go, docs/user-guide/nginx-configuration/log-format.md):
 *
 *   $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer"
 *   "$http_user_agent" $request_length $request_time [$proxy_upstream_name]
 *   [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length
 *   $upstream_response_time $upstream_status $req_id
 *
 * Fields are returned under their nginx variable names; `-` (nginx's empty value) is left out.
 * The upstream fields list one value per upstream tried (`a, b`, and `a : b` across upstream groups).
 */
export type NginxFields = Record<string, string | number>;

const HEAD =
  /^(\S+) - (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)" (\d+|-) ([\d.]+|-) \[([^\]]*)\](?: \[([^\]]*)\])?(?: (.*))?$/;
const UPSTREAM_FIELDS = ['upstream_addr', 'upstream_response_length', 'upstream_response_time', 'upstream_status', 'req_id'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TIME_LOCAL = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/** Parses one access line in the default format; undefined when the line is not one. */
export function parseNginxAccessLine(line: string): NginxFields | undefined {
  const match = HEAD.exec(line);
  if (!match) return undefined;
  const [, remoteAddr, remoteUser, timeLocal, request, status, bytesSent, referer, userAgent, requestLength, requestTime, upstreamName, alternative, tail] = match;
  const upstream = tail === undefined ? [] : upstreamTokens(tail);
  if (upstream.length > UPSTREAM_FIELDS.length) return undefined;
  const fields: NginxFields = {};
  const put = (name: string, value: string | number | undefined) => {
    if (value !== undefined && value !== '-' && value !== '') fields[name] = value;
  };
  put('remote_addr', remoteAddr);
  put('remote_user', remoteUser);
  put('time_local', timeLocal);
  put('request', request);
  put('status', Number(status));
  put('body_bytes_sent', bytesSent === '-' ? undefined : Number(bytesSent));
  put('http_referer', referer);
  put('http_user_agent', userAgent);
  put('request_length', requestLength === '-' ? undefined : Number(requestLength));
  put('request_time', requestTime === '-' ? undefined : Number(requestTime));
  put('proxy_upstream_name', upstreamName);
  put('proxy_alternative_upstream_name', alternative);
  upstream.forEach((value, i) => put(UPSTREAM_FIELDS[i], value));
  return fields;
}

/** Splits the space-separated upstream fields, keeping `a, b` and `a : b` lists together. */
function upstreamTokens(tail: string): string[] {
  const tokens: string[] = [];
  const words = tail.split(' ').filter((word) => word !== '');
  for (let i = 0; i < words.length; i++) {
    const previous = tokens[tokens.length - 1];
    if (words[i] === ':' && previous !== undefined && i + 1 < words.length) {
      tokens[tokens.length - 1] = `${previous} : ${words[++i]}`;
    } else if (previous?.endsWith(',')) {
      tokens[tokens.length - 1] = `${previous} ${words[i]}`;
    } else {
      tokens.push(words[i]);
    }
  }
  return tokens;
}

/** `07/Feb/2020:11:48:51 +0000` → epoch ms; undefined when malformed. */
export function timeLocalToMs(text: string): number | undefined {
  const match = TIME_LOCAL.exec(text);
  if (!match) return undefined;
  const [, day, month, year, hour, minute, second, sign, offsetHours, offsetMinutes] = match;
  const monthIndex = MONTHS.indexOf(month);
  if (monthIndex < 0) return undefined;
  const utc = Date.UTC(Number(year), monthIndex, Number(day), Number(hour), Number(minute), Number(second));
  const offset = (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  return sign === '+' ? utc - offset : utc + offset;
}

/** `"GET /path?q=1 HTTP/1.1"` → method, target and protocol; a malformed request line yields what it has. */
export function splitRequestLine(request: string): { method?: string; uri?: string; protocol?: string } {
  const parts = request.split(' ');
  if (parts.length !== 3) return { uri: request === '' ? undefined : request };
  return { method: parts[0], uri: parts[1], protocol: parts[2] };
}

type Json = Record<string, unknown>;

/** What an application's own log line says about itself, when it logs JSON. */
export interface AppLog {
  /** The line's fields, when the line is a JSON object. */
  json?: Json;
  message: string;
  level?: string;
}

const MESSAGE_KEYS = ['msg', 'message', 'log'] as const;
const LEVEL_KEYS = ['level', 'severity', 'lvl', 'loglevel', 'log.level'] as const;
/** pino and bunyan write numeric levels. */
const NUMERIC_LEVELS: ReadonlyArray<[number, string]> = [[60, 'fatal'], [50, 'error'], [40, 'warn'], [30, 'info'], [20, 'debug'], [10, 'trace']];

export function readAppLog(text: string): AppLog {
  const json = parseObject(text);
  if (!json) return { message: text };
  const message = MESSAGE_KEYS.map((key) => json[key]).find((value): value is string => typeof value === 'string' && value !== '');
  return { json, message: message ?? text, level: levelOf(json) };
}

function levelOf(json: Json): string | undefined {
  for (const key of LEVEL_KEYS) {
    const value = json[key];
    if (typeof value === 'string' && value !== '') return value.toLowerCase();
    if (typeof value === 'number') return NUMERIC_LEVELS.find(([threshold]) => value >= threshold)?.[1];
  }
  return undefined;
}

function parseObject(text: string): Json | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

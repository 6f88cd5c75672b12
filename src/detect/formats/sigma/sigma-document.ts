/**
 * One Sigma YAML document read into a detection rule or a correlation rule (Sigma specification
 * v2: sigma-rules-specification.md, sigma-correlation-rules-specification.md). Only the keys
 * Vigil uses are typed; the others are kept by the YAML but not read.
 */

export interface SigmaLogsource {
  category?: string;
  product?: string;
  service?: string;
}

interface SigmaCommon {
  title: string;
  id?: string;
  /** The name correlation rules refer to a rule by. */
  name?: string;
  description?: string;
  author?: string;
  level?: string;
  tags: string[];
  falsepositives: string[];
  /** "file: document #2", for messages. */
  where: string;
  origin: string;
}

export interface SigmaDetectionRule extends SigmaCommon {
  kind: 'detection';
  logsource: SigmaLogsource;
  /** Search identifiers by name (the `condition` key removed). */
  identifiers: Map<string, unknown>;
  /** One condition, or several meaning any of them. */
  conditions: string[];
}

export type SigmaCorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered';

export interface SigmaCorrelationRule extends SigmaCommon {
  kind: 'correlation';
  type: string;
  rules: string[];
  groupBy: string[];
  timespan: string;
  /** `{gte: 10}`, `{field: user, gte: 3}` … */
  condition: Record<string, unknown>;
  aliases: Record<string, unknown>;
  /** Whether the referenced rules also alert on their own. */
  generate: boolean;
}

export type SigmaDocument = SigmaDetectionRule | SigmaCorrelationRule;

export function looksLikeSigma(document: unknown): boolean {
  return isMap(document) && typeof document.title === 'string' && (isMap(document.detection) || isMap(document.correlation));
}

/** Reads one document; throws with a message naming the document and key. */
export function readSigmaDocument(document: unknown, where: string, origin: string): SigmaDocument {
  if (!isMap(document)) throw new Error(`${where}: a Sigma rule is a YAML mapping`);
  const title = document.title;
  if (typeof title !== 'string' || title.trim() === '') throw new Error(`${where}: title: required`);
  const common: SigmaCommon = {
    title: title.trim(),
    id: optionalText(document.id, `${where}: id`),
    name: optionalText(document.name, `${where}: name`),
    description: optionalText(document.description, `${where}: description`),
    author: optionalText(document.author, `${where}: author`),
    level: optionalText(document.level, `${where}: level`),
    tags: textList(document.tags, `${where}: tags`),
    falsepositives: textList(document.falsepositives, `${where}: falsepositives`),
    where,
    origin,
  };
  if (isMap(document.correlation)) return readCorrelation(document.correlation, common, document.generate);
  return readDetection(document, common);
}

function readDetection(document: Record<string, unknown>, common: SigmaCommon): SigmaDetectionRule {
  const where = common.where;
  const logsource = document.logsource;
  if (!isMap(logsource)) throw new Error(`${where}: logsource: required (category, product, service)`);
  const detection = document.detection as Record<string, unknown>;
  const { condition, ...identifiers } = detection;
  const conditions = typeof condition === 'string' ? [condition] : Array.isArray(condition) && condition.every((item) => typeof item === 'string') ? (condition as string[]) : undefined;
  if (conditions === undefined || conditions.length === 0) throw new Error(`${where}: detection.condition: required, e.g. "selection and not filter"`);
  return {
    ...common,
    kind: 'detection',
    logsource: {
      category: optionalText(logsource.category, `${where}: logsource.category`)?.toLowerCase(),
      product: optionalText(logsource.product, `${where}: logsource.product`)?.toLowerCase(),
      service: optionalText(logsource.service, `${where}: logsource.service`)?.toLowerCase(),
    },
    identifiers: new Map(Object.entries(identifiers)),
    conditions,
  };
}

function readCorrelation(correlation: Record<string, unknown>, common: SigmaCommon, generate: unknown): SigmaCorrelationRule {
  const where = `${common.where}: correlation`;
  const type = optionalText(correlation.type, `${where}.type`);
  if (type === undefined) throw new Error(`${where}.type: required (event_count, value_count, temporal, temporal_ordered)`);
  const rules = textList(correlation.rules, `${where}.rules`);
  if (rules.length === 0) throw new Error(`${where}.rules: name at least one rule by id or name`);
  const timespan = correlation.timespan;
  if (typeof timespan !== 'string' && typeof timespan !== 'number') throw new Error(`${where}.timespan: required, e.g. 10m`);
  const condition = correlation.condition === undefined ? {} : correlation.condition;
  if (!isMap(condition)) throw new Error(`${where}.condition: expected a mapping such as {gte: 10}`);
  return {
    ...common,
    kind: 'correlation',
    type,
    rules,
    groupBy: textList(correlation['group-by'], `${where}.group-by`),
    timespan: String(timespan),
    condition,
    aliases: isMap(correlation.aliases) ? correlation.aliases : {},
    generate: generate === true || correlation.generate === true,
  };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalText(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw new Error(`${where}: expected text`);
}

function textList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) throw new Error(`${where}: expected a list`);
  return value.map((item) => String(item));
}

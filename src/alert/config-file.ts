import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { type AlertingConfig, AlertingConfigError, defaultAlertingConfig, parseAlertingConfig } from './config.js';

/** Vigil's config file split into the `alerting:` section and the rest (sources, …) as YAML text. */
export interface ConfigSections {
  /** The `alerting:` value, undefined when the file has none. */
  alerting: unknown;
  /** The file without its `alerting:` key, for the other sections' loader. */
  rest: string;
}

/** Reads a config file; messages name the file and what is wrong with it. */
export function readConfigSections(path: string): ConfigSections {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AlertingConfigError([`cannot read config ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  return splitConfigSections(text, path);
}

export function splitConfigSections(text: string, origin: string): ConfigSections {
  const document = parseDocument(text);
  if (document.errors.length > 0) throw new AlertingConfigError([`${origin} is not valid YAML: ${document.errors[0].message}`]);
  const alerting = document.get('alerting', true) === undefined ? undefined : (document.toJS() as { alerting?: unknown }).alerting;
  if (document.contents !== null && document.has('alerting')) document.delete('alerting');
  return { alerting, rest: document.contents === null ? '' : String(document) };
}

/** The alerting config of a config file, or the lifecycle-only default when the file has no `alerting:`. */
export function alertingConfigOf(sections: ConfigSections | undefined, origin: string, env: NodeJS.ProcessEnv = process.env): AlertingConfig {
  if (sections?.alerting === undefined) return defaultAlertingConfig();
  try {
    return parseAlertingConfig(sections.alerting, env);
  } catch (error) {
    if (error instanceof AlertingConfigError) throw new AlertingConfigError(error.problems.map((problem) => `${origin}: ${problem}`));
    throw error;
  }
}

import { keyText } from './key-path.js';

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces `${NAME}` in every string of a parsed YAML value with the environment variable NAME
 * (`$${` stays a literal `${`). A variable that is not set is a problem naming the key; its
 * value never appears in a message.
 */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path: Array<string | number>, problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (whole, variable: string | undefined) => {
      if (variable === undefined) return '${';
      const found = env[variable];
      if (found === undefined) {
        problems.push(`${keyText(path)}: environment variable ${variable} is not set`);
        return whole;
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => substituteEnv(item, env, [...path, index], problems));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substituteEnv(item, env, [...path, key], problems)]));
  }
  return value;
}

/**
 * Reads a path of the original record, e.g. `objectRef.resource` or
 * `requestObject.spec.containers[*].securityContext.privileged`.
 * `[*]` (or `[]`) fans out over an array, `[N]` picks one element; a path that crosses an array
 * without an index also fans out, so `spec.containers.image` works as users expect.
 * Returns every value found (empty when the path is absent).
 */
export function readPath(root: unknown, path: string): unknown[] {
  let current: unknown[] = [root];
  for (const step of parsePath(path)) {
    const next: unknown[] = [];
    for (const value of current) collectStep(value, step, next);
    if (next.length === 0) return next;
    current = next;
  }
  return current;
}

type Step = { key: string } | { index: number } | { all: true };

const pathCache = new Map<string, Step[]>();

export function parsePath(path: string): Step[] {
  const cached = pathCache.get(path);
  if (cached) return cached;
  const steps: Step[] = [];
  for (const part of path.split('.')) {
    const match = /^([^[\]]*)((?:\[[^\]]*\])*)$/.exec(part);
    if (!match) throw new Error(`invalid path "${path}": cannot read "${part}"; use a.b[*].c or a.b[0].c`);
    if (match[1] !== '') steps.push({ key: match[1] });
    for (const bracket of match[2].match(/\[[^\]]*\]/g) ?? []) {
      const inner = bracket.slice(1, -1);
      if (inner === '*' || inner === '') steps.push({ all: true });
      else if (/^\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else throw new Error(`invalid path "${path}": bracket "${bracket}" must hold a number or *`);
    }
  }
  pathCache.set(path, steps);
  return steps;
}

function collectStep(value: unknown, step: Step, out: unknown[]): void {
  if (value === null || value === undefined) return;
  if ('all' in step) {
    if (Array.isArray(value)) for (const item of value) out.push(item);
    return;
  }
  if ('index' in step) {
    if (Array.isArray(value) && step.index < value.length) out.push(value[step.index]);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collectStep(item, step, out);
    return;
  }
  if (typeof value === 'object') {
    const found = (value as Record<string, unknown>)[step.key];
    if (found !== undefined) out.push(found);
  }
}

/**
 * A reader for one path, made once and called per event: a plain dotted path is walked key by
 * key (the common case for rules, no allocation); brackets, or an array met on the way, fall
 * back to `readPath` and give all the values found.
 */
export function compilePathReader(path: string): (root: unknown) => unknown {
  if (path.includes('[')) return (root) => readPath(root, path);
  const keys = path.split('.');
  return (root) => {
    let value = root;
    for (const key of keys) {
      if (value === null || typeof value !== 'object') return undefined;
      if (Array.isArray(value)) return readPath(root, path);
      value = (value as Record<string, unknown>)[key];
    }
    return value;
  };
}

/** Marker that replaces redacted values; its presence tells a reader the value existed. */
export const REDACTED = '<redacted by vigil>';

/**
 * Replaces the values of Secret `data` / `stringData` in an audit event's request and
 * response objects (single Secrets and SecretLists). Returns true when anything changed,
 * so the caller knows the stored record must be re-serialized.
 */
export function redactSecrets(raw: Record<string, unknown>): boolean {
  const objectRef = raw.objectRef as { resource?: unknown } | undefined;
  if (objectRef?.resource !== 'secrets') return false;
  let changed = false;
  for (const key of ['requestObject', 'responseObject'] as const) {
    changed = redactSecretObject(raw[key]) || changed;
  }
  return changed;
}

function redactSecretObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const object = value as Record<string, unknown>;
  let changed = false;
  if (Array.isArray(object.items)) {
    for (const item of object.items) changed = redactSecretObject(item) || changed;
  }
  for (const key of ['data', 'stringData'] as const) {
    const data = object[key];
    if (data !== null && typeof data === 'object') {
      for (const name of Object.keys(data)) (data as Record<string, unknown>)[name] = REDACTED;
      changed = changed || Object.keys(data).length > 0;
    }
  }
  return changed;
}

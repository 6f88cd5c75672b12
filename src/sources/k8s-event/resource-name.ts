/**
 * The API resource name of a kind, as the audit log names it (`Pod` → `pods`), so events and
 * audit records of one object share `orchestrator.resource.type`. Same guess as apimachinery's
 * `meta.UnsafeGuessKindToResource`, which is right for every built-in kind.
 */
export function resourceOfKind(kind: string): string {
  const singular = kind.toLowerCase();
  if (singular.endsWith('endpoints')) return singular;
  if (singular.endsWith('s')) return `${singular}es`;
  if (singular.endsWith('y')) return `${singular.slice(0, -1)}ies`;
  return `${singular}s`;
}

import { useState } from 'react';
import { api, type Rule } from '../api';
import { formatAgo } from '../format';

/**
 * Whether a rule runs. Admins get a switch (a toggle button: its name stays, aria-pressed
 * carries the state, Space and Enter work as for any button); others read the state.
 */
export function RuleToggle({ rule, mayChange, onChanged, onError }: { rule: Rule; mayChange: boolean; onChanged: (rule: Rule) => void; onError: (error: Error) => void }) {
  const [busy, setBusy] = useState(false);
  const changed = rule.changed ? `${rule.enabled ? 'enabled' : 'disabled'} by ${rule.changed.by} ${formatAgo(rule.changed.at)}${rule.changed.reason ? `: ${rule.changed.reason}` : ''}` : undefined;
  const toggle = async () => {
    setBusy(true);
    try {
      onChanged(await api<Rule>('POST', `/api/v1/rules/${encodeURIComponent(rule.id)}/${rule.enabled ? 'disable' : 'enable'}`));
    } catch (error) {
      onError(error as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="rule-state">
      {mayChange ? (
        <button type="button" className="switch" aria-pressed={rule.enabled} aria-label={`Run ${rule.id}`} title={changed} disabled={busy} onClick={() => void toggle()}>
          <span className="knob" aria-hidden="true" />
          <span aria-hidden="true">{rule.enabled ? 'on' : 'off'}</span>
        </button>
      ) : (
        <span className={rule.enabled ? undefined : 'strong'}>{rule.enabled ? 'enabled' : 'disabled'}</span>
      )}
      {changed && <div className="muted small">{changed}</div>}
    </div>
  );
}

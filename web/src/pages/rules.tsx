import { useState } from 'react';
import { api, type Rule, SEVERITIES } from '../api';
import { SeverityBadge, StatusBadge } from '../components/badges';
import { ErrorNote, Loading } from '../components/notes';
import { RuleTestPanel } from '../components/rule-test-panel';
import { RuleToggle } from '../components/rule-toggle';
import { formatAgo, formatCount } from '../format';
import { useMayAct } from '../session';
import { useLoad } from '../use-load';

export function RulesPage() {
  const rules = useLoad(() => api<Rule[]>('GET', '/api/v1/rules'), []);
  const [filter, setFilter] = useState('');
  const [changes, setChanges] = useState<ReadonlyMap<string, Rule>>(new Map());
  const [changeError, setChangeError] = useState<Error>();
  const [testing, setTesting] = useState('');
  const mayChange = useMayAct('admin');
  const mayTest = useMayAct('responder');
  // A change answers with the rule as it now is; the list shows that until it is loaded again.
  const all = (rules.data ?? []).map((rule) => changes.get(rule.id) ?? rule);
  const onChanged = (rule: Rule) => {
    setChangeError(undefined);
    setChanges(new Map(changes).set(rule.id, rule));
  };
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = all
    .filter((rule) => words.every((word) => [rule.id, rule.title, rule.severity, rule.format, rule.operator, ...rule.techniques].join(' ').toLowerCase().includes(word)))
    .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || b.hits.alerts - a.hits.alerts || a.id.localeCompare(b.id));
  const withCoverage = shown.some((rule) => rule.coverage);
  return (
    <div>
      <h1>Rules</h1>
      <div className="toolbar">
        <div className="field grow">
          <label htmlFor="rule-filter">Filter</label>
          <input id="rule-filter" type="search" value={filter} onChange={(event) => setFilter(event.target.value)} placeholder="id, title, severity, technique…" />
        </div>
        <p className="summary muted" aria-live="polite">
          {rules.data ? `${shown.length} of ${all.length} rules; ${all.filter((rule) => rule.enabled).length} enabled; ${all.filter((rule) => rule.hits.alerts > 0).length} raised alerts` : ''}
        </p>
      </div>
      <ErrorNote error={rules.error} what="rules" />
      {changeError && (
        <p className="note note-error" role="alert">
          Could not change the rule: {changeError.message}
        </p>
      )}
      <Loading loading={rules.loading} />
      {shown.length > 0 && (
        <div className="card">
          <table className="list">
            <caption className="visually-hidden">Detection rules</caption>
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">Rule</th>
                <th scope="col">Kind</th>
                <th scope="col">Techniques</th>
                <th scope="col" className="number">Alerts</th>
                <th scope="col" className="number">Open</th>
                <th scope="col">Last hit</th>
                {withCoverage && <th scope="col">Audit policy</th>}
                <th scope="col">Enabled</th>
                <th scope="col">
                  <span className="visually-hidden">Test</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((rule) => (
                <tr key={rule.id} className={rule.enabled ? undefined : 'disabled'}>
                  <td>
                    <SeverityBadge severity={rule.severity} />
                  </td>
                  <td>
                    <span className="strong">{rule.title}</span>
                    <div className="muted small">
                      {rule.id} · {rule.format}
                      {rule.sources ? ` · ${rule.sources.join(', ')}` : ''}
                    </div>
                  </td>
                  <td className="small">{rule.operator.replace('_', ' ')}</td>
                  <td className="small">{rule.techniques.join(', ')}</td>
                  <td className="number">{formatCount(rule.hits.alerts)}</td>
                  <td className="number">{formatCount(rule.hits.open)}</td>
                  <td className="small">{rule.hits.lastSeen ? formatAgo(rule.hits.lastSeen) : '—'}</td>
                  {withCoverage && (
                    <td>
                      {rule.coverage ? <StatusBadge status={rule.coverage.status} /> : '—'}
                      {rule.coverage?.status === 'partial' && <span className="small muted"> {rule.coverage.covered}/{rule.coverage.checked}</span>}
                    </td>
                  )}
                  <td className="state">
                    <RuleToggle rule={rule} mayChange={mayChange} onChanged={onChanged} onError={setChangeError} />
                  </td>
                  <td className="state">
                    <button type="button" className="link" aria-label={`Test ${rule.id}`} onClick={() => setTesting(rule.id)}>
                      Test
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {all.length > 0 && <RuleTestPanel rules={all} ruleId={testing || all[0].id} onRuleChange={setTesting} mayTest={mayTest} />}
    </div>
  );
}

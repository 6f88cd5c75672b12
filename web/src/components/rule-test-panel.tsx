import { useEffect, useRef, useState } from 'react';
import { api, type Rule, type RuleSelfTest, type RuleTrial } from '../api';
import { formatCount, formatTime } from '../format';
import { ErrorNote } from './notes';

/**
 * Runs one rule over pasted events (a JSON array or object, an audit EventList, or NDJSON)
 * on the server, with nothing stored: which events match and which alerts it would raise.
 * Also runs the rule's own test events, as `vigil rules test` does.
 */
export function RuleTestPanel({ rules, ruleId, onRuleChange, mayTest }: { rules: readonly Rule[]; ruleId: string; onRuleChange: (id: string) => void; mayTest: boolean }) {
  const [text, setText] = useState('');
  const [state, setState] = useState<{ busy?: boolean; error?: Error; trial?: RuleTrial; selfTest?: RuleSelfTest }>({});
  const select = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    if (ruleId) select.current?.focus();
  }, [ruleId]);
  const path = `/api/v1/rules/${encodeURIComponent(ruleId)}/test`;
  const run = async (work: () => Promise<Partial<typeof state>>) => {
    setState({ busy: true });
    try {
      setState(await work());
    } catch (error) {
      setState({ error: error as Error });
    }
  };
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    void run(async () => ({ trial: await api<RuleTrial>('POST', path, eventsOf(text)) }));
  };
  return (
    <section className="card rule-test" aria-labelledby="rule-test-heading">
      <h2 id="rule-test-heading">Test a rule</h2>
      <p className="muted small">
        Paste audit events (a JSON array or object, an EventList, or one event per line) or other sources' events as <code>{'{"ecs": {…}}'}</code>. The rule runs on these events alone, disabled or not; nothing is
        stored or sent.
      </p>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="rule-test-rule">Rule</label>
          <select id="rule-test-rule" ref={select} value={ruleId} onChange={(event) => onRuleChange(event.target.value)}>
            {rules.map((rule) => (
              <option key={rule.id} value={rule.id}>
                {rule.id}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="rule-test-events">Events</label>
          <textarea id="rule-test-events" rows={8} spellCheck={false} value={text} onChange={(event) => setText(event.target.value)} placeholder='{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"create",…}' />
        </div>
        <div className="actions-row">
          <button type="submit" className="primary" disabled={!mayTest || state.busy || text.trim() === '' || ruleId === ''}>
            {state.busy ? 'Running…' : 'Run test'}
          </button>
          <button type="button" disabled={!mayTest || state.busy || ruleId === ''} onClick={() => void run(async () => ({ selfTest: await api<RuleSelfTest>('POST', `${path}/embedded`) }))}>
            Run the rule's own tests
          </button>
        </div>
        {!mayTest && <p className="muted small">Testing rules needs a responder token.</p>}
      </form>
      <ErrorNote error={state.error} what="the test" />
      {state.trial && <TrialResult trial={state.trial} />}
      {state.selfTest && <SelfTestResult report={state.selfTest} />}
    </section>
  );
}

/** The pasted text as the request body: JSON when it is one document, else NDJSON lines. */
function eventsOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text.split('\n').flatMap((line, index) => {
      if (line.trim() === '') return [];
      try {
        return [JSON.parse(line) as unknown];
      } catch (error) {
        throw new Error(`line ${index + 1} is not JSON (${(error as Error).message}); paste a JSON document or one event per line`);
      }
    });
  }
}

function TrialResult({ trial }: { trial: RuleTrial }) {
  return (
    <div className="trial" role="status">
      <p className="strong">
        {formatCount(trial.events)} event(s): {formatCount(trial.matched.length)} matched, {formatCount(trial.alerts.length)} alert(s) would be raised.
      </p>
      {trial.notes.map((note) => (
        <p key={note} className="note small">
          {note}
        </p>
      ))}
      {trial.matched.length > 0 && (
        <table className="list">
          <caption>Matching events</caption>
          <thead>
            <tr>
              <th scope="col" className="number">#</th>
              <th scope="col">Time</th>
              <th scope="col">Event id</th>
              <th scope="col">In an alert</th>
            </tr>
          </thead>
          <tbody>
            {trial.matched.map((match) => (
              <tr key={match.index}>
                <td className="number">{match.index + 1}</td>
                <td className="small">{formatTime(match.time)}</td>
                <td className="small mono">{match.eventId}</td>
                <td>{match.inAlert ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {trial.alerts.length > 0 && (
        <ul className="trial-alerts" aria-label="Alerts it would raise">
          {trial.alerts.map((alert) => (
            <li key={alert.id}>
              <span className="strong">{alert.summary}</span>
              <div className="muted small">
                {formatCount(alert.count)} event(s) ·{' '}
                {Object.entries(alert.entity)
                  .filter(([, value]) => value)
                  .map(([key, value]) => `${key} ${value}`)
                  .join(' · ')}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function SelfTestResult({ report }: { report: RuleSelfTest }) {
  const passed = report.results.length - report.failed;
  return (
    <div className="trial" role="status">
      <p className="strong">
        {passed} of {report.results.length} of the rule's own tests passed{report.untested ? '; it lacks a positive or a negative test' : ''}.
      </p>
      <ul className="self-tests">
        {report.results.map((result) => (
          <li key={`${result.kind}:${result.name}`} className={result.passed ? undefined : 'text-bad'}>
            {result.passed ? 'passed' : 'FAILED'}: {result.kind} “{result.name}”{result.problem ? ` — ${result.problem}` : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}

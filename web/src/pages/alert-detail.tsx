import { useState } from 'react';
import { ApiError, alertsOf, api, queryString, type Alert, type EventDocument, type EventsAnswer, type Rule } from '../api';
import { SeverityBadge, StatusBadge } from '../components/badges';
import { EventTable } from '../components/event-table';
import { ErrorNote, Loading } from '../components/notes';
import { formatAxisTime, formatCount, formatDuration, formatTime, pathValue } from '../format';
import { onLinkClick } from '../router';
import { useLoad } from '../use-load';
import { useMayAct } from '../session';
import { useAlertActions } from './alerts';

/** The alert from its own endpoint, or from the list when the server has no per-alert route. */
async function loadAlert(id: string): Promise<Alert> {
  try {
    return await api<Alert>('GET', `/api/v1/alerts/${encodeURIComponent(id)}`);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404 && error.message.startsWith('no route'))) throw error;
    const found = alertsOf(await api<unknown>('GET', '/api/v1/alerts?limit=1000')).find((alert) => alert.id === id);
    if (!found) throw new Error(`no alert ${id}`);
    return found;
  }
}

async function loadEvents(alert: Alert): Promise<EventDocument[]> {
  if (alert.events.length === 0) return [];
  const q = `event.id=(${alert.events.join(', ')})`;
  const until = new Date(Date.parse(alert.lastSeen) + 1).toISOString();
  const answer = await api<EventsAnswer>('GET', `/api/v1/events${queryString({ q, since: alert.firstSeen, until, limit: 500 })}`);
  return [...(answer.events ?? [])].sort((a, b) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']));
}

const WIDTH = 900;
const HEIGHT = 90;
const PAD = 30;

/** The alert's events on a time axis from first to last seen. */
function Timeline({ alert, events }: { alert: Alert; events: readonly EventDocument[] }) {
  const first = Date.parse(alert.firstSeen);
  const last = Date.parse(alert.lastSeen);
  const span = Math.max(last - first, 1000);
  const x = (ms: number) => PAD + ((ms - first) / span) * (WIDTH - 2 * PAD);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((fraction) => first + fraction * span);
  const label = `${formatCount(events.length)} of ${formatCount(alert.count)} detections shown between ${formatTime(first)} and ${formatTime(last)} (${formatDuration(span)})`;
  return (
    <figure className="timeline">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label}>
        <line className="axis-line" x1={PAD} x2={WIDTH - PAD} y1={44} y2={44} />
        {ticks.map((tick, index) => (
          <g key={tick} className="tick">
            <line x1={x(tick)} x2={x(tick)} y1={40} y2={48} />
            <text x={x(tick)} y={70} textAnchor={index === 0 ? 'start' : index === ticks.length - 1 ? 'end' : 'middle'}>
              {formatAxisTime(tick, span)}
            </text>
          </g>
        ))}
        {events.map((event) => {
          const time = Date.parse(event['@timestamp']);
          return (
            <circle key={String(pathValue(event, 'event.id'))} className="dot" cx={x(time)} cy={44} r={6}>
              <title>{`${formatTime(time)} ${String(pathValue(event, 'event.action') ?? '')} ${String(pathValue(event, 'orchestrator.resource.type') ?? '')} ${String(pathValue(event, 'orchestrator.resource.name') ?? '')}`}</title>
            </circle>
          );
        })}
        <text className="edge" x={PAD} y={20}>
          first seen
        </text>
        <text className="edge" x={WIDTH - PAD} y={20} textAnchor="end">
          last seen
        </text>
      </svg>
      <figcaption>{label}</figcaption>
    </figure>
  );
}

interface Transition {
  at: string;
  from: string | null;
  to: string;
  by: string;
  reason: string;
}

function silencedBy(alert: Alert): string[] {
  return Array.isArray(alert.silencedBy) ? (alert.silencedBy as string[]) : [];
}

/** Who moved the alert between states, when and why (from the alerting API's detail). */
function History({ alert }: { alert: Alert }) {
  const transitions = Array.isArray(alert.transitions) ? (alert.transitions as Transition[]) : [];
  return (
    <section className="card" aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      {transitions.length === 0 ? (
        <p className="muted">No state changes recorded.</p>
      ) : (
        <ol className="history">
          {transitions.map((transition, index) => {
            return (
              <li key={index}>
                <span className="muted small">{formatTime(transition.at)}</span>{' '}
                <span>
                  {transition.from ? `${transition.from} → ` : ''}
                  <StatusBadge status={transition.to} /> by <strong>{transition.by}</strong>
                </span>
                {transition.reason && <div className="small">{transition.reason}</div>}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

const SILENCE_DURATIONS = [
  { value: '1h', label: '1 hour' },
  { value: '4h', label: '4 hours' },
  { value: '24h', label: '1 day' },
  { value: '168h', label: '1 week' },
];

function matcherValue(value: string): string {
  return `"${value.replaceAll('"', '\\"')}"`;
}

/** Silences alerts like this one: the rule and the chosen entity values, for a while, with a reason. */
function SilenceForm({ alert, mayAct, onSilenced }: { alert: Alert; mayAct: boolean; onSilenced: () => void }) {
  const candidates = [`rule=${matcherValue(alert.rule.id)}`, ...Object.entries(alert.entity).flatMap(([key, value]) => (value ? [`${key}=${matcherValue(value)}`] : []))];
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set(candidates.slice(0, 2)));
  const [duration, setDuration] = useState('4h');
  const [comment, setComment] = useState('');
  const [state, setState] = useState<{ busy?: boolean; error?: Error; done?: string }>({});
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setState({ busy: true });
    try {
      const silence = await api<{ endsAt?: string }>('POST', '/api/v1/alerts/silences', { matchers: candidates.filter((matcher) => chosen.has(matcher)), duration, comment });
      setState({ done: `Silenced until ${formatTime(silence.endsAt)}.` });
      onSilenced();
    } catch (error) {
      setState({ error: error as Error });
    }
  };
  return (
    <section className="card" aria-labelledby="silence-heading">
      <h2 id="silence-heading">Silence</h2>
      <form className="silence" onSubmit={(event) => void submit(event)}>
        <fieldset>
          <legend>Alerts that match all of</legend>
          {candidates.map((matcher) => (
            <label key={matcher} className="check">
              <input
                type="checkbox"
                checked={chosen.has(matcher)}
                onChange={(event) => {
                  const next = new Set(chosen);
                  if (event.target.checked) next.add(matcher);
                  else next.delete(matcher);
                  setChosen(next);
                }}
              />{' '}
              <code>{matcher}</code>
            </label>
          ))}
        </fieldset>
        <div className="silence-row">
          <div className="field">
            <label htmlFor="silence-duration">For</label>
            <select id="silence-duration" value={duration} onChange={(event) => setDuration(event.target.value)}>
              {SILENCE_DURATIONS.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </div>
          <div className="field grow">
            <label htmlFor="silence-comment">Why</label>
            <input id="silence-comment" type="text" required value={comment} onChange={(event) => setComment(event.target.value)} placeholder="e.g. planned cleanup, ticket OPS-123" />
          </div>
        </div>
        <button type="submit" disabled={!mayAct || state.busy || chosen.size === 0 || comment.trim() === ''}>
          {state.busy ? 'Silencing…' : 'Silence'}
        </button>
        {!mayAct && <p className="muted small">Silencing needs a responder token.</p>}
        {state.done && (
          <p className="note" role="status">
            {state.done}
          </p>
        )}
        <ErrorNote error={state.error} what="the silence" />
      </form>
    </section>
  );
}

function techniqueUrl(id: string): string {
  return `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;
}

export function AlertDetailPage({ id }: { id: string }) {
  const alert = useLoad(() => loadAlert(id), [id]);
  const eventKey = alert.data ? `${alert.data.id}:${alert.data.events.join(',')}` : '';
  const events = useLoad(async () => (alert.data ? loadEvents(alert.data) : []), [eventKey]);
  const rules = useLoad(() => api<Rule[]>('GET', '/api/v1/rules'), []);
  const actions = useAlertActions(alert.data, alert.reload);
  const mayAct = useMayAct('responder');
  const data = alert.data;
  const rule = rules.data?.find((candidate) => candidate.id === data?.rule.id);
  return (
    <div>
      <p className="breadcrumb">
        <a href="/alerts" onClick={onLinkClick}>
          ← Alerts
        </a>
      </p>
      <ErrorNote error={alert.error} what="the alert" />
      <Loading loading={alert.loading && !data} />
      {data && (
        <>
          <div className="alert-head">
            <div>
              <h1>{data.rule.title}</h1>
              <p className="badges">
                <SeverityBadge severity={data.rule.severity} /> <StatusBadge status={data.status} />
                {silencedBy(data).length > 0 && <StatusBadge status="silenced" />} <span className="muted">rule {data.rule.id}</span>
              </p>
            </div>
            <div className="actions">
              <button type="button" className="primary" disabled={!mayAct || data.status !== 'open' || actions.busy !== undefined} onClick={() => void actions.act('ack')}>
                {actions.busy === 'ack' ? 'Acknowledging…' : 'Acknowledge'}
              </button>
              <button type="button" disabled={!mayAct || data.status === 'resolved' || actions.busy !== undefined} onClick={() => void actions.act('resolve')}>
                {actions.busy === 'resolve' ? 'Resolving…' : 'Resolve'}
              </button>
              {!mayAct && <p className="muted small">Acknowledging and resolving need a responder token.</p>}
            </div>
          </div>
          <ErrorNote error={actions.error} what="the change" />
          <p className="lead">{data.summary}</p>
          <div className="grid-2">
            <section className="card" aria-labelledby="entity-heading">
              <h2 id="entity-heading">Entity</h2>
              <dl className="pairs">
                {Object.entries(data.entity)
                  .filter(([, value]) => value)
                  .map(([key, value]) => (
                    <div key={key}>
                      <dt>{key}</dt>
                      <dd>{value}</dd>
                    </div>
                  ))}
                <div>
                  <dt>detections</dt>
                  <dd>{formatCount(data.count)}</dd>
                </div>
                <div>
                  <dt>first seen</dt>
                  <dd>{formatTime(data.firstSeen)}</dd>
                </div>
                <div>
                  <dt>last seen</dt>
                  <dd>{formatTime(data.lastSeen)}</dd>
                </div>
              </dl>
            </section>
            <section className="card" aria-labelledby="rule-heading">
              <h2 id="rule-heading">Rule</h2>
              {rule?.description && <p>{rule.description}</p>}
              <h3>Runbook</h3>
              <p className="runbook">{rules.data ? (rule?.runbook ?? 'This rule has no runbook line.') : 'Loading…'}</p>
              <h3>ATT&amp;CK techniques</h3>
              <ul className="inline-list">
                {data.techniques.length === 0 && <li className="muted">none named</li>}
                {data.techniques.map((technique) => (
                  <li key={technique}>
                    <a href={techniqueUrl(technique)} target="_blank" rel="noreferrer noopener">
                      {technique}
                    </a>
                  </li>
                ))}
              </ul>
            </section>
          </div>
          <section className="card" aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">Timeline</h2>
            <Timeline alert={data} events={events.data ?? []} />
            <ErrorNote error={events.error} what="the alert's events" />
            <Loading loading={events.loading} />
            {events.data && events.data.length > 0 && <EventTable events={events.data} caption="The alert's events, oldest first" />}
            {events.data && events.data.length === 0 && !events.loading && <p className="muted">This alert is about something missing (a silent stream): it has no events of its own.</p>}
          </section>
          <div className="grid-2">
            <History alert={data} />
            <SilenceForm alert={data} mayAct={mayAct} onSilenced={alert.reload} />
          </div>
        </>
      )}
    </div>
  );
}

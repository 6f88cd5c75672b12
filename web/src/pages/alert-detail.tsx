import { ApiError, alertsOf, api, queryString, type Alert, type EventDocument, type EventsAnswer, type Rule } from '../api';
import { SeverityBadge, StatusBadge } from '../components/badges';
import { EventTable } from '../components/event-table';
import { ErrorNote, Loading } from '../components/notes';
import { formatAxisTime, formatCount, formatDuration, formatTime, pathValue } from '../format';
import { onLinkClick } from '../router';
import { useLoad } from '../use-load';
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
        {ticks.map((tick) => (
          <g key={tick} className="tick">
            <line x1={x(tick)} x2={x(tick)} y1={40} y2={48} />
            <text x={x(tick)} y={70} textAnchor="middle">
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

function techniqueUrl(id: string): string {
  return `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;
}

export function AlertDetailPage({ id }: { id: string }) {
  const alert = useLoad(() => loadAlert(id), [id]);
  const events = useLoad(async () => (alert.data ? loadEvents(alert.data) : []), [alert.data]);
  const rules = useLoad(() => api<Rule[]>('GET', '/api/v1/rules'), []);
  const actions = useAlertActions(alert.data, alert.reload);
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
                <SeverityBadge severity={data.rule.severity} /> <StatusBadge status={data.status} /> <span className="muted">rule {data.rule.id}</span>
              </p>
            </div>
            <div className="actions">
              <button type="button" className="primary" disabled={data.status !== 'open' || actions.busy !== undefined} onClick={() => void actions.act('ack')}>
                {actions.busy === 'ack' ? 'Acknowledging…' : 'Acknowledge'}
              </button>
              <button type="button" disabled={data.status === 'resolved' || actions.busy !== undefined} onClick={() => void actions.act('resolve')}>
                {actions.busy === 'resolve' ? 'Resolving…' : 'Resolve'}
              </button>
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
              <p className="runbook">{rule?.runbook ?? 'This rule has no runbook line.'}</p>
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
        </>
      )}
    </div>
  );
}

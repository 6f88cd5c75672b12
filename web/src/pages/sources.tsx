import { api, queryString, type HistogramAnswer } from '../api';
import { StatusBadge } from '../components/badges';
import { Empty, ErrorNote, Loading } from '../components/notes';
import { formatAgo, formatCount, formatDuration, formatTime, queryValue } from '../format';
import { useLoad } from '../use-load';

interface SourceRow {
  cluster: string;
  source: string;
  origin: string;
  firstSeen?: string;
  lastSeen?: string;
  lastReceived?: string;
  lagMs?: number;
  count: number;
  errors: number;
  quarantined: number;
  dropped: number;
  lastError?: string;
  ratePerMinute?: number;
  status: string;
  expectedWithinMs?: number;
}

/** Events of one source per hour over the last day, as a line. */
function Sparkline({ row }: { row: SourceRow }) {
  const q = [`cluster=${queryValue(row.cluster)}`, `source=${queryValue(row.source)}`, row.origin ? `host.name=${queryValue(row.origin)}` : ''].filter(Boolean).join(' ');
  const data = useLoad(() => api<HistogramAnswer>('GET', `/api/v1/events/histogram${queryString({ q, since: '24h', buckets: 24 })}`), [q]);
  const counts = data.data?.buckets.map((bucket) => bucket.count) ?? [];
  if (counts.length === 0) return <span className="muted small">—</span>;
  const max = Math.max(1, ...counts);
  const points = counts.map((count, index) => `${(index / Math.max(1, counts.length - 1)) * 118 + 1},${29 - (count / max) * 27}`).join(' ');
  return (
    <svg className="sparkline" width="120" height="30" role="img" aria-label={`last 24 hours, hourly: ${counts.join(', ')} events`}>
      <polyline points={points} />
    </svg>
  );
}

export function SourcesPage() {
  const sources = useLoad(() => api<SourceRow[]>('GET', '/api/v1/sources'), []);
  const rows = [...(sources.data ?? [])].sort((a, b) => Number(b.status === 'silent') - Number(a.status === 'silent') || a.cluster.localeCompare(b.cluster) || a.source.localeCompare(b.source));
  const silent = rows.filter((row) => row.status === 'silent').length;
  return (
    <div>
      <h1>Sources</h1>
      <p className="lead">
        Every log source and origin seen. A source is <strong>silent</strong> when nothing arrived for longer than its absence rule allows.
        {silent > 0 && <strong className="text-bad"> {silent} silent now.</strong>}
      </p>
      <ErrorNote error={sources.error} what="sources" />
      <Loading loading={sources.loading} />
      {!sources.loading && !sources.error && rows.length === 0 && <Empty>No source has sent anything yet. Point an apiserver's audit webhook at this server (see deploy/audit/).</Empty>}
      {rows.length > 0 && (
        <div className="card">
          <table className="list">
            <caption className="visually-hidden">Source health</caption>
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Source</th>
                <th scope="col">Last event arrived</th>
                <th scope="col">Last 24 h</th>
                <th scope="col" className="number">Rate /min</th>
                <th scope="col" className="number">Lag</th>
                <th scope="col" className="number">Events</th>
                <th scope="col" className="number">Quarantined</th>
                <th scope="col" className="number">Dropped</th>
                <th scope="col" className="number">Errors</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={`${row.cluster}/${row.source}/${row.origin}`} className={row.status === 'silent' ? 'row-bad' : undefined}>
                  <td>
                    <StatusBadge status={row.status} />
                  </td>
                  <td>
                    <span className="strong">{row.source}</span>
                    <div className="muted small">
                      {row.cluster || '(any cluster)'}
                      {row.origin ? ` · ${row.origin}` : ''}
                    </div>
                  </td>
                  <td title={formatTime(row.lastReceived)}>
                    {formatAgo(row.lastReceived)}
                    {row.expectedWithinMs !== undefined && <div className="muted small">expected within {formatDuration(row.expectedWithinMs)}</div>}
                  </td>
                  <td>
                    <Sparkline row={row} />
                  </td>
                  <td className="number">{row.ratePerMinute === undefined ? '—' : row.ratePerMinute}</td>
                  <td className="number">{row.lagMs === undefined ? '—' : formatDuration(row.lagMs)}</td>
                  <td className="number">{formatCount(row.count)}</td>
                  <td className="number">{formatCount(row.quarantined)}</td>
                  <td className="number">{formatCount(row.dropped)}</td>
                  <td className="number" title={row.lastError}>
                    {formatCount(row.errors)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

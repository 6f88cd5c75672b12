import { useEffect, useState } from 'react';
import { api, queryString, type EventDocument, type EventsAnswer, type FacetsAnswer, type FieldInfo, type HistogramAnswer } from '../api';
import { EventTable } from '../components/event-table';
import { Histogram } from '../components/histogram';
import { Empty, ErrorNote, Loading } from '../components/notes';
import { QueryBar } from '../components/query-bar';
import { formatCount, formatTime, queryValue } from '../format';
import { navigate } from '../router';
import { useLoad } from '../use-load';

const RANGES = [
  { value: '15m', label: 'Last 15 minutes' },
  { value: '1h', label: 'Last hour' },
  { value: '6h', label: 'Last 6 hours' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: 'all', label: 'All time' },
];

interface ExploreState {
  q: string;
  /** A preset (`24h`, `all`) or `custom` with since/until. */
  range: string;
  since?: string;
  until?: string;
}

function stateFromUrl(search: string): ExploreState {
  const params = new URLSearchParams(search);
  const since = params.get('since') ?? undefined;
  const until = params.get('until') ?? undefined;
  return { q: params.get('q') ?? '', range: since || until ? 'custom' : (params.get('range') ?? '24h'), since, until };
}

function urlOf(state: ExploreState): string {
  const custom = state.range === 'custom';
  return `/explore${queryString({ q: state.q, range: custom ? undefined : state.range, since: custom ? state.since : undefined, until: custom ? state.until : undefined })}`;
}

/** The time bounds to send: presets count back from now on the server. */
function boundsOf(state: ExploreState): { since?: string; until?: string } {
  if (state.range === 'custom') return { since: state.since, until: state.until };
  if (state.range === 'all') return {};
  return { since: state.range };
}

function FacetList({ facets, onFilter }: { facets: FacetsAnswer['facets']; onFilter: (field: string, value: string | number | null, exclude: boolean) => void }) {
  return (
    <div className="facets">
      {facets
        .filter((facet) => facet.values.length > 0)
        .map((facet) => {
          const top = Math.max(...facet.values.map((value) => value.count));
          return (
            <section key={facet.field} aria-label={`Top values of ${facet.field}`}>
              <h3>{facet.field}</h3>
              <ul>
                {facet.values.map((entry) => {
                  const label = entry.value === null ? '(none)' : String(entry.value);
                  return (
                    <li key={label}>
                      <button
                        type="button"
                        className="facet-value"
                        aria-label={`Filter ${facet.field} = ${label} (${formatCount(entry.count)})`}
                        title={`Show only ${facet.field} = ${label}`}
                        onClick={() => onFilter(facet.field, entry.value, false)}
                      >
                        <span className="bar" style={{ width: `${(entry.count / top) * 100}%` }} aria-hidden="true" />
                        <span className="value">{label}</span>
                        <span className="count">{formatCount(entry.count)}</span>
                      </button>
                      <button type="button" className="facet-exclude" aria-label={`Exclude ${facet.field} = ${label}`} title="Exclude" onClick={() => onFilter(facet.field, entry.value, true)}>
                        −
                      </button>
                    </li>
                  );
                })}
              </ul>
            </section>
          );
        })}
    </div>
  );
}

function ResultTable({ answer }: { answer: EventsAnswer }) {
  const columns = answer.columns ?? [];
  return (
    <table className="stats">
      <caption className="visually-hidden">Query result</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th scope="col" key={column}>
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {(answer.rows ?? []).map((row, index) => (
          <tr key={index}>
            {columns.map((column) => (
              <td key={column}>{row[column] === null || row[column] === undefined ? '' : String(row[column])}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ExplorePage({ search }: { search: string }) {
  const state = stateFromUrl(search);
  const [draft, setDraft] = useState(state.q);
  useEffect(() => setDraft(state.q), [state.q]);
  const bounds = boundsOf(state);
  const key = [state.q, state.range, state.since, state.until];
  const fields = useLoad(() => api<FieldInfo[]>('GET', '/api/v1/fields'), []);
  const events = useLoad(() => api<EventsAnswer>('GET', `/api/v1/events${queryString({ q: state.q, ...bounds, limit: 50 })}`), key);
  const onlyFilter = !state.q.includes('|');
  const histogram = useLoad(async () => (onlyFilter ? api<HistogramAnswer>('GET', `/api/v1/events/histogram${queryString({ q: state.q, ...bounds, buckets: 60 })}`) : undefined), key);
  const facets = useLoad(async () => (onlyFilter ? api<FacetsAnswer>('GET', `/api/v1/events/facets${queryString({ q: state.q, ...bounds })}`) : undefined), key);
  const [more, setMore] = useState<{ events: EventDocument[]; cursor?: string; loading: boolean; error?: Error }>({ events: [], loading: false });
  useEffect(() => setMore({ events: [], loading: false }), [events.data]);

  const go = (next: Partial<ExploreState>) => navigate(urlOf({ ...state, ...next }));
  const addFilter = (field: string, value: string | number | null, exclude = false) => {
    const term = value === null ? `${exclude ? '' : 'not '}${field} exists` : `${field}${exclude ? '!=' : '='}${queryValue(value)}`;
    const base = state.q.trim() === '' || state.q.trim() === '*' ? '' : `${state.q.trim()} `;
    go({ q: `${base}${term}` });
  };
  const loadMore = async (cursor: string) => {
    setMore((previous) => ({ ...previous, loading: true }));
    try {
      const page = await api<EventsAnswer>('GET', `/api/v1/events${queryString({ q: state.q, ...bounds, limit: 50, cursor })}`);
      setMore((previous) => ({ events: [...previous.events, ...(page.events ?? [])], cursor: page.nextCursor, loading: false }));
    } catch (error) {
      setMore((previous) => ({ ...previous, loading: false, error: error as Error }));
    }
  };

  const answer = events.data;
  const shown = [...(answer?.events ?? []), ...more.events];
  const nextCursor = more.events.length > 0 ? more.cursor : answer?.nextCursor;

  return (
    <div className="explore">
      <h1>Explore</h1>
      <form
        className="search"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          go({ q: draft });
        }}
      >
        <QueryBar value={draft} onChange={setDraft} onSubmit={(text) => go({ q: text })} fields={fields.data ?? []} />
        <div className="time-picker">
          <label htmlFor="time-range">Time range</label>
          <select id="time-range" value={state.range} onChange={(event) => go({ range: event.target.value, since: undefined, until: undefined })}>
            {RANGES.map((range) => (
              <option key={range.value} value={range.value}>
                {range.label}
              </option>
            ))}
            {state.range === 'custom' && <option value="custom">{`${formatTime(state.since)} – ${formatTime(state.until)}`}</option>}
          </select>
        </div>
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      <ErrorNote error={events.error} what="events" />
      {histogram.data && (
        <section className="card" aria-label="Events over time">
          <Histogram data={histogram.data} onSelect={(since, until) => go({ range: 'custom', since: new Date(since).toISOString(), until: new Date(until).toISOString() })} />
        </section>
      )}
      <div className="explore-body">
        {facets.data && (
          <aside className="card facets-card" aria-label="Field values">
            <h2>Top values</h2>
            <FacetList facets={facets.data.facets} onFilter={addFilter} />
          </aside>
        )}
        <section className="card results" aria-label="Results">
          <div className="results-head">
            <h2>{answer?.shape === 'table' ? 'Result' : 'Events'}</h2>
            <span className="muted">
              {histogram.data && answer?.shape !== 'table' ? `${formatCount(histogram.data.total)} matching` : ''}
            </span>
          </div>
          <Loading loading={events.loading} />
          {answer?.shape === 'table' && <ResultTable answer={answer} />}
          {answer?.shape === 'events' && shown.length === 0 && !events.loading && <Empty>No events match. Widen the time range or loosen the query.</Empty>}
          {answer?.shape === 'events' && shown.length > 0 && <EventTable events={shown} onFilter={(field, value) => addFilter(field, value)} caption="Matching events, newest first" />}
          {nextCursor && (
            <button type="button" className="more" disabled={more.loading} onClick={() => void loadMore(nextCursor)}>
              {more.loading ? 'Loading…' : 'Load more'}
            </button>
          )}
          <ErrorNote error={more.error} what="more events" />
        </section>
      </div>
    </div>
  );
}

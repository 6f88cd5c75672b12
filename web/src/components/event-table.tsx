import { Fragment, useState } from 'react';
import { api, type EventDocument } from '../api';
import { formatCount, formatRowTime, formatTime, pathValue } from '../format';
import { JsonView } from './json-view';

/** `wrap`: long values (user names, object names) are cut with an ellipsis (the full value is the cell's title and in the details). */
const COLUMNS: Array<{ label: string; path: string; wrap?: boolean }> = [
  { label: 'Source', path: 'vigil.source' },
  { label: 'User', path: 'user.name', wrap: true },
  { label: 'Verb', path: 'event.action' },
  { label: 'Resource', path: 'orchestrator.resource.type' },
  { label: 'Namespace', path: 'orchestrator.namespace' },
  { label: 'Name', path: 'orchestrator.resource.name', wrap: true },
  { label: 'Code', path: 'http.response.status_code' },
  { label: 'Source IP', path: 'source.ip' },
];

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The normalized fields of an event as `path: value` pairs, without the original record. */
function flatFields(document: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  const pairs: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(document)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (path === 'vigil.original') continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) pairs.push(...flatFields(value as Record<string, unknown>, path));
    else pairs.push([path, value]);
  }
  return pairs;
}

interface ProofBundle {
  format: string;
  leafIndex: number;
  inclusionProof: string[];
  checkpoint: string;
}

/** What an inclusion proof says, and the bundle itself to hand to an auditor (`vigil proof --verify`). */
function ProofSummary({ bundle, id }: { bundle: ProofBundle; id: string }) {
  const [origin, size, root, time] = bundle.checkpoint.split('\n');
  return (
    <div className="proof">
      <p className="verdict verdict-good">✓ Included in the signed ledger</p>
      <dl className="pairs">
        <div>
          <dt>leaf</dt>
          <dd>
            {formatCount(bundle.leafIndex)} of {formatCount(Number(size))}
          </dd>
        </div>
        <div>
          <dt>checkpoint</dt>
          <dd>
            {origin}, {time?.replace(/^time /, 'signed ')}
          </dd>
        </div>
        <div>
          <dt>root hash</dt>
          <dd className="mono">{root}</dd>
        </div>
        <div>
          <dt>audit path</dt>
          <dd>{bundle.inclusionProof.length} hashes</dd>
        </div>
      </dl>
      <details>
        <summary>Proof bundle (JSON)</summary>
        <JsonView value={bundle} label={`Inclusion proof of event ${id}`} />
      </details>
    </div>
  );
}

function EventDetail({ event, onFilter }: { event: EventDocument; onFilter?: (field: string, value: string | number) => void }) {
  const id = text(pathValue(event, 'event.id'));
  const [proof, setProof] = useState<{ value?: unknown; error?: string }>();
  const loadProof = async () => {
    try {
      setProof({ value: await api('GET', `/api/v1/events/${encodeURIComponent(id)}/proof`) });
    } catch (error) {
      setProof({ error: (error as Error).message });
    }
  };
  return (
    <div className="event-detail">
      <dl className="fields">
        {flatFields(event).map(([path, value]) => (
          <Fragment key={path}>
            <dt>{path}</dt>
            <dd>
              {onFilter && (typeof value === 'string' || typeof value === 'number') && path !== '@timestamp' ? (
                <button type="button" className="link" title={`Filter on ${path}`} onClick={() => onFilter(path, value)}>
                  {text(value)}
                </button>
              ) : (
                text(value)
              )}
            </dd>
          </Fragment>
        ))}
      </dl>
      <div className="raw">
        <div className="raw-head">
          <h4>Original record</h4>
          <button type="button" onClick={() => void loadProof()}>
            Inclusion proof
          </button>
        </div>
        {proof?.error && (
          <p className="note note-error" role="alert">
            {proof.error}
          </p>
        )}
        {proof?.value !== undefined && <ProofSummary bundle={proof.value as ProofBundle} id={id} />}
        <JsonView value={pathValue(event, 'vigil.original')} label={`Original record of event ${id}`} />
      </div>
    </div>
  );
}

/** Events newest first; each row opens to its fields, original record and inclusion proof. */
export function EventTable({ events, onFilter, caption }: { events: readonly EventDocument[]; onFilter?: (field: string, value: string | number) => void; caption: string }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  // The source column earns its width only when the events come from more than one source.
  const columns = new Set(events.map((event) => text(pathValue(event, 'vigil.source')))).size > 1 ? COLUMNS : COLUMNS.filter((column) => column.path !== 'vigil.source');
  return (
    <table className="events">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">
            <span className="visually-hidden">Details</span>
          </th>
          <th scope="col">Time</th>
          {columns.map((column) => (
            <th scope="col" key={column.path}>
              {column.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {events.map((event) => {
          const id = text(pathValue(event, 'event.id'));
          const expanded = open.has(id);
          return (
            <Fragment key={id}>
              <tr className={expanded ? 'expanded' : undefined} onClick={(click) => (click.target as HTMLElement).closest('button') === null && toggle(id)}>
                <td className="toggle">
                  <button type="button" aria-expanded={expanded} aria-label={`${expanded ? 'Hide' : 'Show'} event ${id}`} onClick={() => toggle(id)}>
                    {expanded ? '▾' : '▸'}
                  </button>
                </td>
                <td className="time" title={formatTime(event['@timestamp'])}>
                  {formatRowTime(event['@timestamp'])}
                </td>
                {columns.map((column) => (
                  <td key={column.path} className={column.wrap ? 'wrap' : undefined} title={column.wrap ? text(pathValue(event, column.path)) : undefined}>
                    {text(pathValue(event, column.path))}
                  </td>
                ))}
              </tr>
              {expanded && (
                <tr className="detail-row">
                  <td colSpan={columns.length + 2}>
                    <EventDetail event={event} onFilter={onFilter} />
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}

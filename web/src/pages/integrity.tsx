import { useEffect, useState } from 'react';
import { api } from '../api';
import { ErrorNote, Loading } from '../components/notes';
import { formatCount, formatDuration, formatTime } from '../format';
import { useLoad } from '../use-load';

interface VerifyRun {
  state: 'never' | 'running' | 'done' | 'failed';
  startedAt?: string;
  finishedAt?: string;
  requestedBy?: string;
  intact?: boolean;
  error?: string;
  report?: {
    records: number;
    ranges: Array<{ from: number; to: number; kind: string; detail: string }>;
    rangesOmitted: number;
    checkpoints: { verified: number; notCheckable: number; problems: string[] };
    witnesses: Array<{ witness: string; status: string; detail: string }>;
    uncovered: Array<{ from: number; to: number }>;
    storeProblems: string[];
  };
}

interface IntegrityAnswer {
  origin: string | null;
  ledgerSize: number;
  checkpoints: number;
  unsignedRecords: number;
  publicKey: string | null;
  checkpoint: { size: number; root: string; signedAt: string; ageSeconds: number; note: string } | null;
  witnesses: Array<{ dir: string; size: number | null; signedAt: string | null; error: string | null }>;
  verify: VerifyRun;
  verifyAvailable: boolean;
}

function VerifyResult({ run }: { run: VerifyRun }) {
  if (run.state === 'never') return <p className="muted">No verification was run from this server yet.</p>;
  if (run.state === 'running') return <p role="status">Verifying since {formatTime(run.startedAt)}…</p>;
  if (run.state === 'failed') return <p className="note note-error">Verification could not run: {run.error}</p>;
  const report = run.report;
  return (
    <div>
      <p className={`verdict ${run.intact ? 'verdict-good' : 'verdict-bad'}`} role="status">
        {run.intact ? '✓ Intact' : '✗ NOT INTACT'}
        <span className="muted small">
          {' '}
          — {formatCount(report?.records)} records checked, finished {formatTime(run.finishedAt)} (asked by {run.requestedBy})
        </span>
      </p>
      {report && (
        <ul className="facts">
          <li>{formatCount(report.checkpoints.verified)} checkpoints verified{report.checkpoints.notCheckable > 0 ? `, ${report.checkpoints.notCheckable} not checkable` : ''}</li>
          {report.uncovered.map((range) => (
            <li key={range.from}>
              records {range.from}–{range.to - 1} match their leaf hashes but no checkpoint covers them yet
            </li>
          ))}
          {report.witnesses.map((witness) => (
            <li key={witness.witness}>
              witness {witness.witness}: {witness.status} ({witness.detail})
            </li>
          ))}
          {[...report.checkpoints.problems, ...report.storeProblems].map((problem) => (
            <li key={problem} className="text-bad">
              {problem}
            </li>
          ))}
        </ul>
      )}
      {report && report.ranges.length > 0 && (
        <table className="list">
          <caption>Ranges that are not intact</caption>
          <thead>
            <tr>
              <th scope="col">Records</th>
              <th scope="col">Kind</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {report.ranges.map((range) => (
              <tr key={`${range.from}-${range.kind}`}>
                <td>
                  {range.from}–{range.to - 1}
                </td>
                <td className="text-bad">{range.kind}</td>
                <td className="small">{range.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function IntegrityPage() {
  const status = useLoad(() => api<IntegrityAnswer>('GET', '/api/v1/integrity'), []);
  const [startError, setStartError] = useState<Error>();
  const running = status.data?.verify.state === 'running';
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(status.reload, 1000);
    return () => clearTimeout(timer);
  });
  const verifyNow = async () => {
    setStartError(undefined);
    try {
      await api('POST', '/api/v1/integrity/verify');
      status.reload();
    } catch (error) {
      setStartError(error as Error);
    }
  };
  const data = status.data;
  return (
    <div>
      <h1>Integrity</h1>
      <p className="lead">Every stored record is a leaf of a signed Merkle tree. Verification recomputes it from the store and names any record that was changed, removed, inserted or reordered.</p>
      <ErrorNote error={status.error} what="the ledger status" />
      <Loading loading={status.loading && !data} />
      {data && (
        <>
          <div className="stats-row">
            <div className="stat card">
              <span className="stat-value">{formatCount(data.ledgerSize)}</span>
              <span className="stat-label">records in the ledger</span>
            </div>
            <div className="stat card">
              <span className="stat-value">{formatCount(data.checkpoints)}</span>
              <span className="stat-label">signed checkpoints</span>
            </div>
            <div className="stat card">
              <span className="stat-value">{data.checkpoint ? formatDuration(data.checkpoint.ageSeconds * 1000) : '—'}</span>
              <span className="stat-label">since the last checkpoint</span>
            </div>
            <div className={`stat card ${data.unsignedRecords > 0 ? 'stat-warn' : ''}`}>
              <span className="stat-value">{formatCount(data.unsignedRecords)}</span>
              <span className="stat-label">records not signed yet</span>
            </div>
          </div>
          <section className="card" aria-labelledby="verify-heading">
            <div className="card-head">
              <h2 id="verify-heading">Last verification</h2>
              <button type="button" className="primary" disabled={running || !data.verifyAvailable} onClick={() => void verifyNow()}>
                {running ? 'Verifying…' : 'Verify now'}
              </button>
            </div>
            <ErrorNote error={startError} what="a verification" />
            <VerifyResult run={data.verify} />
          </section>
          <section className="card" aria-labelledby="checkpoint-heading">
            <h2 id="checkpoint-heading">Latest checkpoint</h2>
            {data.checkpoint ? (
              <>
                <dl className="pairs">
                  <div>
                    <dt>log</dt>
                    <dd>{data.origin}</dd>
                  </div>
                  <div>
                    <dt>tree size</dt>
                    <dd>{formatCount(data.checkpoint.size)}</dd>
                  </div>
                  <div>
                    <dt>signed</dt>
                    <dd>{formatTime(data.checkpoint.signedAt)}</dd>
                  </div>
                  <div>
                    <dt>root hash</dt>
                    <dd className="mono">{data.checkpoint.root}</dd>
                  </div>
                </dl>
                <h3>Signed note</h3>
                <pre className="note-text" tabIndex={0} aria-label="Signed checkpoint note">
                  {data.checkpoint.note}
                </pre>
              </>
            ) : (
              <p className="muted">Not available: nothing has been signed yet.</p>
            )}
            <h3>Public key</h3>
            {data.publicKey ? <pre className="note-text">{data.publicKey}</pre> : <p className="muted">Not available on this server.</p>}
          </section>
          <section className="card" aria-labelledby="witness-heading">
            <h2 id="witness-heading">Witnesses</h2>
            {data.witnesses.length === 0 ? (
              <p className="muted">No witness configured. Start vigil serve with --witness DIR (on another volume) so a rollback of the whole store is caught.</p>
            ) : (
              <table className="list">
                <caption className="visually-hidden">Witnesses</caption>
                <thead>
                  <tr>
                    <th scope="col">Directory</th>
                    <th scope="col">Holds size</th>
                    <th scope="col">Signed</th>
                    <th scope="col">Problem</th>
                  </tr>
                </thead>
                <tbody>
                  {data.witnesses.map((witness) => (
                    <tr key={witness.dir}>
                      <td className="mono">{witness.dir}</td>
                      <td>{formatCount(witness.size)}</td>
                      <td>{formatTime(witness.signedAt)}</td>
                      <td className="text-bad small">{witness.error ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </div>
  );
}

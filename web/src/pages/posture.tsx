import { useState } from 'react';
import { api, SEVERITIES } from '../api';
import { SeverityBadge, StatusBadge } from '../components/badges';
import { ErrorNote, Loading } from '../components/notes';
import { formatTime } from '../format';
import { useLoad } from '../use-load';

interface Finding {
  id: string;
  severity: string;
  title: string;
  evidence: string[];
  fix: string;
  subject?: string;
  location?: { file: string; line?: number };
}

interface CoverageEntry {
  ruleId: string;
  title: string;
  severity: string;
  status: string;
  enabled: boolean;
  checked: number;
  covered: number;
  needs: { level: string; stages: string[] };
  gaps: Array<{ request: string; reason: string }>;
  notes: string[];
}

interface PostureAnswer {
  assessedAt: string;
  report: {
    findings: Finding[];
    coverage: CoverageEntry[];
    coverageNote?: string;
    summary: { findings: Record<string, number>; coverage: Record<string, number> };
  };
}

const COVERAGE_ORDER = ['blind', 'partial', 'unknown', 'fires', 'not-audit'];

export function PosturePage() {
  const [refresh, setRefresh] = useState(0);
  const posture = useLoad(() => api<PostureAnswer>('GET', `/api/v1/posture${refresh > 0 ? '?refresh=true' : ''}`), [refresh]);
  const [status, setStatus] = useState('');
  const report = posture.data?.report;
  const coverage = (report?.coverage ?? [])
    .filter((entry) => status === '' || entry.status === status)
    .sort((a, b) => COVERAGE_ORDER.indexOf(a.status) - COVERAGE_ORDER.indexOf(b.status) || SEVERITIES.indexOf(a.severity as never) - SEVERITIES.indexOf(b.severity as never));
  return (
    <div>
      <div className="page-head">
        <h1>Posture</h1>
        <button type="button" disabled={posture.loading} onClick={() => setRefresh((count) => count + 1)}>
          {posture.loading ? 'Assessing…' : 'Assess again'}
        </button>
      </div>
      <p className="lead">Is this cluster's logging adequate? Findings from what arrives and the audit policy, and which rules the policy lets fire.</p>
      <ErrorNote error={posture.error} what="the posture report" />
      <Loading loading={posture.loading && !report} />
      {report && (
        <>
          <p className="muted small">Assessed {formatTime(posture.data?.assessedAt)}</p>
          <div className="stats-row">
            {SEVERITIES.map((severity) => (
              <div className="stat card" key={severity}>
                <span className="stat-value">{report.summary.findings[severity] ?? 0}</span>
                <span className="stat-label">
                  <SeverityBadge severity={severity} /> findings
                </span>
              </div>
            ))}
          </div>
          <section aria-labelledby="findings-heading">
            <h2 id="findings-heading">Findings</h2>
            {report.findings.length === 0 && <p className="note">No findings.</p>}
            <ul className="findings">
              {report.findings.map((finding) => (
                <li key={`${finding.id}/${finding.subject ?? ''}`} className="card finding">
                  <h3>
                    <SeverityBadge severity={finding.severity} /> {finding.title}
                  </h3>
                  <p className="muted small">
                    {finding.id}
                    {finding.location ? ` · ${finding.location.file}${finding.location.line ? `:${finding.location.line}` : ''}` : ''}
                  </p>
                  {finding.evidence.length > 0 && (
                    <ul className="evidence">
                      {finding.evidence.map((line) => (
                        <li key={line}>{line}</li>
                      ))}
                    </ul>
                  )}
                  <p className="fix-label">Fix</p>
                  <pre className="fix">{finding.fix}</pre>
                </li>
              ))}
            </ul>
          </section>
          <section className="card" aria-labelledby="coverage-heading">
            <div className="card-head">
              <h2 id="coverage-heading">Coverage by the audit policy</h2>
              <div className="field">
                <label htmlFor="coverage-status">Show</label>
                <select id="coverage-status" value={status} onChange={(event) => setStatus(event.target.value)}>
                  <option value="">All rules</option>
                  {COVERAGE_ORDER.map((value) => (
                    <option key={value} value={value}>
                      {value} ({report.summary.coverage[value] ?? 0})
                    </option>
                  ))}
                </select>
              </div>
            </div>
            {report.coverageNote && <p className="muted">{report.coverageNote}</p>}
            {coverage.length > 0 && (
              <table className="list">
                <caption className="visually-hidden">Rule coverage matrix</caption>
                <thead>
                  <tr>
                    <th scope="col">Rule</th>
                    <th scope="col">Severity</th>
                    <th scope="col">Status</th>
                    <th scope="col">Needs</th>
                    <th scope="col">Why</th>
                  </tr>
                </thead>
                <tbody>
                  {coverage.map((entry) => (
                    <tr key={entry.ruleId}>
                      <td>
                        <span className="strong">{entry.title}</span>
                        <div className="muted small">{entry.ruleId}</div>
                      </td>
                      <td>
                        <SeverityBadge severity={entry.severity} />
                      </td>
                      <td>
                        <StatusBadge status={entry.status} />
                        {entry.status === 'partial' && <span className="small muted"> {entry.covered}/{entry.checked}</span>}
                      </td>
                      <td className="small">{entry.status === 'not-audit' ? 'another source' : `${entry.needs.level} @ ${entry.needs.stages.join(', ')}`}</td>
                      <td className="small">{entry.status === 'fires' ? '' : (entry.gaps[0] ? `${entry.gaps[0].request}: ${entry.gaps[0].reason}` : entry.notes.join('; '))}</td>
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

import type { VerifierKey } from '../ledger/checkpoint.js';
import { listCatalogSegments } from '../store/sqlite/archive-catalog.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import { openArchiveTarget } from './target.js';
import { type ArchiveVerifyReport, verifyArchive } from './verify-archive.js';

export type { ArchiveVerifyReport } from './verify-archive.js';

/**
 * `vigil verify --archives`: every archive the hot store's catalog names is verified offline, and
 * every segment the catalog lists must be one the archive's signed runs declare and that checked
 * out: this catches a whole run deleted from the archive, which the archive alone cannot show.
 * A segment the catalog lists as expired must be one a signed expiry in the archive removed.
 */
export async function verifyCatalogArchives(db: SqliteDatabase, verifier: VerifierKey, s3Endpoint: string | undefined, problem: (message: string) => void): Promise<ArchiveVerifyReport[]> {
  const catalog = listCatalogSegments(db);
  const reports: ArchiveVerifyReport[] = [];
  for (const location of new Set(catalog.map((s) => s.target))) {
    let report: ArchiveVerifyReport;
    try {
      report = await verifyArchive(openArchiveTarget(location, { s3Endpoint }), verifier);
    } catch (error) {
      problem(`archive ${location} cannot be read (${(error as Error).message})`);
      continue;
    }
    const named = new Set(report.problems.map((p) => p.object));
    const expired = new Map(report.expired.map((e) => [e.name, e.expiredBy]));
    for (const segment of catalog.filter((s) => s.target === location)) {
      if (segment.expiredBy !== null) {
        if (expired.get(segment.name) !== segment.expiredBy) {
          report.problems.push({
            kind: 'run-missing',
            object: segment.name,
            detail: `the catalog lists it as expired by the record at seq ${segment.expiredBy}, but no signed expiry in the archive declares that: the expiry's receipt was deleted`,
          });
        }
        continue;
      }
      if (expired.has(segment.name)) {
        report.problems.push({ kind: 'run-invalid', object: segment.name, detail: `a signed expiry in the archive removed it, but this store's catalog does not know of it: the catalog was rolled back` });
        continue;
      }
      if (!report.declaredSegments.includes(segment.name) && !named.has(segment.name)) {
        report.problems.push({
          kind: 'run-missing',
          object: segment.name,
          detail: `the catalog lists it as archived by the record at seq ${segment.declaredBy}, but no signed run in the archive declares it: the run's receipt and segments were deleted`,
        });
      }
    }
    report.intact = report.problems.length === 0;
    if (!report.intact) problem(`archive ${location}: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} (${report.problems[0].kind}: ${report.problems[0].object})`);
    reports.push(report);
  }
  return reports;
}

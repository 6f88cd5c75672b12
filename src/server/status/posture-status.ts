import type { CompiledRule } from '../../detect/rule.js';
import { type PostureReport, assessPosture } from '../../posture/assess.js';
import type { CoverageEntry } from '../../posture/coverage.js';

export interface PostureInputsOfServer {
  /** The server's data directory: which sources actually arrive. */
  dataDir?: string;
  /** The cluster's audit policy file, for the coverage matrix. */
  auditPolicy?: string;
  rules: readonly CompiledRule[];
}

export type PostureState = { assessedAt: number; report: PostureReport } | { assessedAt: number; error: string };

/**
 * The posture report of what this server knows (its data directory, the audit policy it was
 * given, its rules), assessed on first use and again once older than `maxAgeMs` or on request.
 * Concurrent callers share one assessment.
 */
export class PostureStatus {
  private last: PostureState | undefined;
  private running: Promise<PostureState> | undefined;

  constructor(
    private readonly inputs: PostureInputsOfServer,
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  get available(): boolean {
    return this.inputs.dataDir !== undefined || this.inputs.auditPolicy !== undefined;
  }

  async latest(refresh = false): Promise<PostureState> {
    if (this.running) return this.running;
    if (this.last && !refresh && this.now() - this.last.assessedAt < this.maxAgeMs) return this.last;
    this.running = this.assess().then((state) => {
      this.last = state;
      this.running = undefined;
      return state;
    });
    return this.running;
  }

  /**
   * The coverage matrix of the latest report, without waiting: empty until the first assessment
   * (which this starts) has finished.
   */
  coverage(): readonly CoverageEntry[] {
    if (!this.available) return [];
    if (this.last === undefined) void this.latest();
    return this.last !== undefined && 'report' in this.last ? this.last.report.coverage : [];
  }

  private async assess(): Promise<PostureState> {
    const assessedAt = this.now();
    try {
      const report = await assessPosture({ dataDir: this.inputs.dataDir, auditPolicy: this.inputs.auditPolicy, rules: this.inputs.rules, now: assessedAt });
      return { assessedAt, report };
    } catch (error) {
      return { assessedAt, error: (error as Error).message };
    }
  }
}

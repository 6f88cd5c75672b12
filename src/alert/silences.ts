import { randomUUID } from 'node:crypto';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import type { AdminRecorder } from './admin-recorder.js';
import { AlertActionError } from './alert-action-error.js';
import type { AlertLabels } from './labels.js';
import { type Matcher, MatcherError, matchesAll, parseMatcher } from './matchers.js';

export interface Silence {
  id: string;
  matchers: string[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  createdAt: number;
  /** Set when someone ended it before `endsAt`. */
  expiredBy: string | null;
}

export interface NewSilence {
  matchers: readonly string[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

export type SilenceState = 'pending' | 'active' | 'expired';

interface SilenceRow {
  id: string;
  matchers: string;
  starts_at: number;
  ends_at: number;
  created_by: string;
  comment: string;
  created_at: number;
  expired_by: string | null;
}

/**
 * Silences: while one is active (start ≤ now < end) the alerts its matchers select are
 * suppressed — tracked and escalated nowhere, notified to nobody. Creating and ending one are
 * admin actions recorded in the ledger.
 */
export class SilenceStore {
  private readonly statements;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly recorder: AdminRecorder,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS alert_silences (
      id TEXT PRIMARY KEY,
      matchers TEXT NOT NULL,
      starts_at INTEGER NOT NULL,
      ends_at INTEGER NOT NULL,
      created_by TEXT NOT NULL,
      comment TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expired_by TEXT
    );
    CREATE INDEX IF NOT EXISTS alert_silences_ends ON alert_silences (ends_at);`);
    this.statements = {
      insert: db.prepare('INSERT INTO alert_silences (id, matchers, starts_at, ends_at, created_by, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      get: db.prepare('SELECT * FROM alert_silences WHERE id = ?'),
      expire: db.prepare('UPDATE alert_silences SET ends_at = ?, expired_by = ? WHERE id = ?'),
      active: db.prepare('SELECT * FROM alert_silences WHERE starts_at <= ? AND ends_at > ?'),
      all: db.prepare('SELECT * FROM alert_silences WHERE ends_at > ? ORDER BY starts_at DESC LIMIT ?'),
    };
  }

  create(silence: NewSilence, now: number): Silence {
    const problems: string[] = [];
    for (const text of silence.matchers) {
      try {
        parseMatcher(text);
      } catch (error) {
        problems.push((error as MatcherError).message);
      }
    }
    if (silence.matchers.length === 0) problems.push('a silence needs at least one matcher, e.g. rule=k8s-exec-into-pod');
    if (!(silence.endsAt > silence.startsAt)) problems.push('a silence must end after it starts');
    if (silence.endsAt <= now) problems.push('a silence must end in the future');
    if (silence.comment.trim() === '') problems.push('say why in the comment');
    if (problems.length > 0) throw new AlertActionError(problems.join('; '), 'invalid');
    const created: Silence = { id: randomUUID(), ...silence, matchers: [...silence.matchers], createdAt: now, expiredBy: null };
    this.db.transaction(() => {
      this.statements.insert.run(created.id, JSON.stringify(created.matchers), created.startsAt, created.endsAt, created.createdBy, created.comment, now);
      this.recorder.record('alert.silence', {
        by: created.createdBy,
        summary: `silence ${created.id} of ${created.matchers.join(' ')} until ${new Date(created.endsAt).toISOString()} by ${created.createdBy}: ${created.comment}`,
        silenceId: created.id,
        matchers: created.matchers,
        startsAt: new Date(created.startsAt).toISOString(),
        endsAt: new Date(created.endsAt).toISOString(),
        comment: created.comment,
      });
    })();
    return created;
  }

  /** Ends a silence now; its alerts are notified again from the next evaluation on. */
  expire(id: string, by: string, now: number): Silence {
    const silence = this.get(id);
    if (!silence) throw new AlertActionError(`no silence with id "${id}"; see vigil alerts silences`, 'not-found');
    if (silence.endsAt <= now) throw new AlertActionError(`silence ${id} has already ended`, 'conflict');
    this.db.transaction(() => {
      this.statements.expire.run(now, by, id);
      this.recorder.record('alert.unsilence', { by, summary: `silence ${id} of ${silence.matchers.join(' ')} ended early by ${by}`, silenceId: id, matchers: silence.matchers });
    })();
    return { ...silence, endsAt: now, expiredBy: by };
  }

  get(id: string): Silence | undefined {
    const row = this.statements.get.get(id) as SilenceRow | undefined;
    return row ? toSilence(row) : undefined;
  }

  /** Silences not yet ended (active and future ones), newest start first. */
  current(now: number, limit = 500): Silence[] {
    return (this.statements.all.all(now, limit) as SilenceRow[]).map(toSilence);
  }

  /** The silences in force now, with their matchers compiled. */
  active(now: number): ActiveSilence[] {
    return (this.statements.active.all(now, now) as SilenceRow[]).map((row) => {
      const silence = toSilence(row);
      return { silence, matchers: silence.matchers.map(parseMatcher) };
    });
  }
}

export interface ActiveSilence {
  silence: Silence;
  matchers: Matcher[];
}

/** Ids of the active silences that select these labels. */
export function silencesMatching(active: readonly ActiveSilence[], labels: AlertLabels): string[] {
  return active.filter((entry) => matchesAll(entry.matchers, labels)).map((entry) => entry.silence.id);
}

export function silenceState(silence: Silence, now: number): SilenceState {
  if (silence.endsAt <= now) return 'expired';
  return silence.startsAt > now ? 'pending' : 'active';
}

function toSilence(row: SilenceRow): Silence {
  return {
    id: row.id,
    matchers: JSON.parse(row.matchers) as string[],
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    createdBy: row.created_by,
    comment: row.comment,
    createdAt: row.created_at,
    expiredBy: row.expired_by,
  };
}

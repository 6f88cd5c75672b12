import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AdminAction } from '../../ledger/admin-record.js';
import { tempDir } from '../../../test/helpers/cli.js';
import { type SqliteDatabase, openDatabase } from './database.js';
import { SqliteRuleStates, effectiveEnabled } from './rule-state.js';

let dataDir: string;
let db: SqliteDatabase;

beforeEach(() => {
  dataDir = tempDir('vigil-rule-state-');
  db = openDatabase(dataDir);
});

afterEach(() => db.close());

const disable = { ruleId: 'k8s-exec-into-pod', title: 'Exec', enabled: false, fileDefault: true, by: 'ops', reason: 'noisy' };

describe('rule states', () => {
  it('records a change with its ledger action, once, and moves the version', () => {
    const states = new SqliteRuleStates(db);
    const recorded: AdminAction[] = [];
    expect(states.version()).toBe(0);
    expect(states.change(disable, (action) => recorded.push(action), 1000)).toBe(true);
    expect(states.change(disable, (action) => recorded.push(action), 2000)).toBe(false);
    expect(recorded).toEqual([
      {
        action: 'rule.disable',
        outcome: 'success',
        summary: 'rule k8s-exec-into-pod disabled by ops: noisy',
        details: { by: 'ops', rule: 'k8s-exec-into-pod', title: 'Exec', from: 'enabled', to: 'disabled', reason: 'noisy' },
      },
    ]);
    expect(states.get('k8s-exec-into-pod')).toEqual({ ruleId: 'k8s-exec-into-pod', enabled: false, changedBy: 'ops', changedAt: 1000, reason: 'noisy' });
    const first = states.version();
    expect(states.change({ ...disable, enabled: true, reason: undefined }, () => undefined)).toBe(true);
    expect(states.version()).toBeGreaterThan(first);
    expect(effectiveEnabled(states.all(), 'k8s-exec-into-pod', false)).toBe(true);
    expect(effectiveEnabled(states.all(), 'other-rule', false)).toBe(false);
  });

  it('keeps nothing when the ledger record fails, and reads the same from a read-only database', () => {
    const states = new SqliteRuleStates(db);
    expect(() =>
      states.change(disable, () => {
        throw new Error('ledger refused');
      }),
    ).toThrow('ledger refused');
    expect(states.all().size).toBe(0);
    states.change(disable, () => undefined);
    const reader = openDatabase(dataDir, { readonly: true });
    try {
      expect(new SqliteRuleStates(reader).get('k8s-exec-into-pod')?.enabled).toBe(false);
    } finally {
      reader.close();
    }
  });
});

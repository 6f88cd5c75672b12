import { it } from 'vitest';
import { builtinRulesDir, loadRules } from '../detect/loader.js';
import { loadAuditPolicy } from './audit-policy.js';
import { evaluateCoverage } from './coverage.js';
import { deriveRequirements } from './rule-requirements.js';

it('scratch', () => {
  const rules = loadRules(builtinRulesDir(), 'builtin');
  const t0 = Date.now();
  const reqs = deriveRequirements(rules);
  const t1 = Date.now();
  const policy = loadAuditPolicy('deploy/audit/audit-policy.yaml');
  const cov = evaluateCoverage(policy.policy, reqs);
  console.log('derive ms', t1 - t0, 'eval ms', Date.now() - t1);
  for (const c of cov) console.log(c.ruleId.padEnd(38), c.status.padEnd(8), `${c.covered}/${c.checked}`, c.needs.level, c.needs.stages.join('|'), c.gaps[0]?.request ?? '', c.gaps[0]?.reason ?? '', c.notes.join(';'));
});

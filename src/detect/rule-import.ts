import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { LoadNote } from './formats/rule-format.js';
import { inspectRuleFiles, type RuleFile, RuleLoadError, ruleFilesAt } from './loader.js';
import type { RuleFormat } from './rule.js';

export interface ImportedFile {
  from: string;
  to: string;
  format: RuleFormat;
  rules: number;
}

export interface ImportPlan {
  files: ImportedFile[];
  /** Why nothing may be imported: the rules do not load, alone or beside what DIR holds. */
  problems: string[];
  notes: LoadNote[];
}

/**
 * Plans `vigil rules import`: the files at the given paths are checked as one rule set, and again
 * together with what the target directory already holds, so an import never leaves a directory
 * that `vigil detect --rules DIR` refuses. Rules are kept as written (Sigma and Falco files run
 * unmodified); a directory lands as `DIR/<its name>/…`, a file as `DIR/<its name>`.
 */
export function planImport(paths: readonly string[], intoDir: string, overwrite: boolean): ImportPlan {
  const planned: Array<{ file: RuleFile; from: string; to: string }> = [];
  const problems: string[] = [];
  for (const path of paths) {
    let files: RuleFile[];
    try {
      files = ruleFilesAt(path);
    } catch (error) {
      if (!(error instanceof RuleLoadError)) throw error;
      problems.push(...error.problems);
      continue;
    }
    const isDirectory = statSync(resolve(path)).isDirectory();
    for (const file of files) {
      const inside = isDirectory ? join(basename(resolve(path)), relative(path, file.path)) : basename(file.path);
      planned.push({ file, from: file.path, to: join(intoDir, inside) });
    }
  }
  for (const { file, to } of planned) {
    if (existsSync(to) && !overwrite && readFileSync(to, 'utf8') !== file.text) problems.push(`${to}: already exists with other content (use --force to replace it)`);
  }
  if (problems.length > 0) return { files: [], problems, notes: [] };
  const report = inspectRuleFiles(planned.map(({ file, to }) => ({ path: to, text: file.text })));
  const combined = inspectRuleFiles(withExisting(intoDir, planned));
  const allProblems = [...new Set([...report.problems, ...combined.problems])];
  const files = planned.map(({ from, to }) => {
    const rules = report.rules.filter((rule) => rule.meta.origin === to);
    return { from, to, format: rules[0]?.meta.format ?? 'vigil', rules: rules.length };
  });
  return { files: allProblems.length > 0 ? [] : files, problems: allProblems, notes: report.notes };
}

/** The target directory's rule files with the planned ones put in (replacing same paths). */
function withExisting(intoDir: string, planned: ReadonlyArray<{ file: RuleFile; to: string }>): RuleFile[] {
  const byPath = new Map<string, string>();
  if (existsSync(intoDir)) {
    try {
      for (const file of ruleFilesAt(intoDir)) byPath.set(file.path, file.text);
    } catch (error) {
      if (!(error instanceof RuleLoadError)) throw error;
    }
  }
  for (const { file, to } of planned) byPath.set(to, file.text);
  return [...byPath].sort(([a], [b]) => a.localeCompare(b)).map(([path, text]) => ({ path, text }));
}

export function executeImport(plan: ImportPlan): void {
  for (const file of plan.files) {
    mkdirSync(dirname(file.to), { recursive: true });
    copyFileSync(file.from, file.to);
  }
}

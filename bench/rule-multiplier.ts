import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { type Document, isMap, isSeq, parseDocument } from 'yaml';

/**
 * Builds a rule directory with `copies` copies of every Vigil YAML rule under `sourceDir`, each
 * copy with a changed id, so `vigil detect --rules DIR` can be measured with 10× the built-in
 * pack (issue 4: per-event cost must stay flat as the rule count grows).
 *
 * A rule file (src/detect/loader.ts) is one YAML document: one rule (a mapping with `id`), a
 * list of rules, or a mapping with `rules:`, `lists:` and `templates:`. Only ids change; named
 * lists, shared by the whole set, are kept in the first copy only, since a list may be defined
 * once. Comments, anchors and merge keys are kept as written.
 */
export function multiplyRules(sourceDir: string, targetDir: string, copies: number): { files: number; rules: number } {
  const files = yamlFilesUnder(sourceDir);
  mkdirSync(targetDir, { recursive: true });
  let rules = 0;
  for (let copy = 1; copy <= copies; copy++) {
    for (const file of files) {
      const document = parseRuleFile(file);
      rules += renameRules(document, (id) => `${id}-x${copy}`);
      if (copy > 1 && isMap(document.contents)) document.contents.delete('lists');
      // Flat names: a loader that does not recurse still finds every copy.
      writeFileSync(join(targetDir, `x${copy}--${relative(sourceDir, file).replaceAll(sep, '--')}`), document.toString());
    }
  }
  return { files: files.length * copies, rules };
}

/** Number of rules in the YAML files under a directory. */
export function countRules(dir: string): number {
  return yamlFilesUnder(dir).reduce((sum, file) => sum + renameRules(parseRuleFile(file), (id) => id), 0);
}

export function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && ['.yaml', '.yml'].includes(extname(entry.name)))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function parseRuleFile(file: string): Document.Parsed {
  const document = parseDocument(readFileSync(file, 'utf8'), { merge: true });
  if (document.errors.length > 0) throw new Error(`cannot copy rule file ${file}: ${document.errors[0].message}`);
  return document;
}

/** Renames the id of every rule in the document in place; returns how many rules it holds. */
function renameRules(document: Document.Parsed, rename: (id: string) => string): number {
  const contents = document.contents;
  const rules = isSeq(contents) ? contents.items : isMap(contents) && !contents.has('id') ? seqItems(contents.get('rules')) : [contents];
  let renamed = 0;
  for (const rule of rules) {
    const id = isMap(rule) ? rule.get('id') : undefined;
    if (!isMap(rule) || typeof id !== 'string') continue;
    rule.set('id', rename(id));
    renamed++;
  }
  return renamed;
}

function seqItems(node: unknown): unknown[] {
  return isSeq(node) ? node.items : [];
}

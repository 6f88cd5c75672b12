import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A path inside the installed package (rules/, demo/ …), found by walking up from this module
 * to package.json, so it works from `src/` under tests and from `dist/src/` when built.
 */
export function packagePath(...segments: string[]): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(directory, 'package.json'))) return join(directory, ...segments);
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`cannot find Vigil's package.json above ${fileURLToPath(import.meta.url)}`);
    directory = parent;
  }
}

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Writes each generated file whose content changed (paths from the repository root). With `--check`
 * on the command line it writes nothing, names each stale file and exits 1 if any is.
 */
export function writeGenerated(
  outputs: readonly (readonly [path: string, content: string])[],
  source: string,
): void {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [path, content] of outputs) {
    const full = `${root}${path}`;
    const current = existsSync(full) ? readFileSync(full, 'utf8') : undefined;
    if (current === content) continue;
    if (check) {
      console.error(`stale: ${path} differs from what ${source} generates`);
      stale += 1;
    } else {
      writeFileSync(full, content);
      console.log(`wrote ${path}`);
    }
  }
  if (stale > 0) {
    console.error('Run `npm run generate` and commit the result.');
    process.exit(1);
  }
}

/**
 * Writes the subgraph SDL that this gateway serves as `_service { sdl }` to `schema/subgraph.graphql`,
 * for `rover subgraph publish`, `hive schema:publish` and the like. With `--check` it writes nothing
 * and exits 1 when the file differs.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSubgraphSchema } from '@apollo/subgraph';
import { createSchema } from '../src/server.js';

const path = fileURLToPath(new URL('../schema/subgraph.graphql', import.meta.url));
const sdl = `${printSubgraphSchema(createSchema())}\n`;
const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
if (current === sdl) process.exit(0);
if (process.argv.includes('--check')) {
  console.error(
    'stale: schema/subgraph.graphql differs from the served subgraph SDL. Run `npm run generate`.',
  );
  process.exit(1);
}
writeFileSync(path, sdl);
console.log('wrote schema/subgraph.graphql');

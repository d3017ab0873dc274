/**
 * Writes the subgraph SDL that this gateway serves as `_service { sdl }` to `schema/subgraph.graphql`,
 * for `rover subgraph publish`, `hive schema:publish` and the like. With `--check` it writes nothing
 * and exits 1 when the file differs.
 */
import { printSubgraphSchema } from '@apollo/subgraph';
import { createSchema } from '../src/server.js';
import { writeGenerated } from './generated-files.js';

writeGenerated(
  [['schema/subgraph.graphql', `${printSubgraphSchema(createSchema())}\n`]],
  'the served subgraph schema',
);

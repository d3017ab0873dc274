#!/usr/bin/env node
// The command-line entry: runs the compiled gateway (`npm run build` makes it).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/index.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('drata-graphql-gateway: dist/index.js is missing; run `npm run build` first\n');
  process.exit(1);
}
await import(entry.href);

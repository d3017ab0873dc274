import { readdirSync, readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { expect, it } from 'vitest';
import { createSchema } from '../src/server.js';
import { graphql, useSandboxGateway } from './helpers.js';

const folder = new URL('../examples/', import.meta.url);
const files = readdirSync(folder).filter((file) => file.endsWith('.graphql'));
const schema = createSchema();

/** An example's settings, from its comment lines: `# token: …`, `# variables: {…}`, `# expect: CODE`. */
function settings(text: string): { token: string; variables: Record<string, unknown>; expect?: string } {
  const value = (name: string) => new RegExp(`^# ${name}:(.*)$`, 'm').exec(text)?.[1]?.trim();
  const token = value('token');
  if (token === undefined) throw new Error('every example names its token, empty for none');
  const expected = value('expect');
  return {
    token,
    variables: JSON.parse(value('variables') ?? '{}') as Record<string, unknown>,
    ...(expected ? { expect: expected } : {}),
  };
}

const running = useSandboxGateway();

it('the folder holds the examples the README links', () => {
  expect(files.length).toBeGreaterThanOrEqual(10);
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  for (const file of files) expect(readme).toContain(`examples/${file}`);
});

it.each(files)('%s validates against the schema and runs against the sandbox as it says', async (file) => {
  const text = readFileSync(new URL(file, folder), 'utf8');
  expect(validate(schema, parse(text))).toEqual([]);
  const example = settings(text);
  const answer = await graphql(running.gateway.url, text, {
    variables: example.variables,
    headers: example.token ? { authorization: `Bearer ${example.token}` } : {},
  });
  expect(answer.status).toBe(200);
  // Each example asks for one root field: a page of connections, or a summary.
  const [field] = Object.keys(answer.body.data ?? {});
  if (example.expect) {
    expect(answer.body.data).toEqual({ [field ?? 'connections']: null });
    expect(answer.body.errors?.map((error) => error.extensions.code)).toEqual([example.expect]);
  } else if (field === 'connectionSummary') {
    expect(answer.body.errors).toBeUndefined();
    const summary = answer.body.data?.['connectionSummary'] as {
      total: number;
      byState: { count: number }[];
    };
    expect(summary.total).toBeGreaterThan(0);
    expect(summary.byState.reduce((sum, entry) => sum + entry.count, 0)).toBe(summary.total);
  } else {
    expect(field).toBe('connections');
    expect(answer.body.errors).toBeUndefined();
    const connections = answer.body.data?.['connections'] as { nodes: unknown[] };
    expect(connections.nodes.length).toBeGreaterThan(0);
  }
});

import { relative } from 'node:path';
import { afterAll, expect } from 'vitest';
import { leaks } from './leak-check.js';

// Registered before a test file's own hooks, so it runs after them (after-hooks run in reverse
// order) and what gateways log as they stop is searched too.
afterAll(() => {
  if (leaks.length === 0) return;
  const file = relative(process.cwd(), expect.getState().testPath ?? '(unknown file)');
  const shown = leaks
    .slice(0, 10)
    .map(
      (leak) =>
        `- ${JSON.stringify(leak.token)} in ${leak.where}, during "${leak.test}":\n    ${JSON.stringify(leak.excerpt)}`,
    );
  const more = leaks.length > 10 ? [`- and ${leaks.length - 10} more`] : [];
  throw new Error(
    [`${file}: a credential a caller sent showed in a log line or an answer`, ...shown, ...more].join('\n'),
  );
});

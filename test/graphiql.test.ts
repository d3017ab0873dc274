import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDocument } from '../src/graphiql.js';
import { startGateway, useSandboxGateway } from './helpers.js';

/** Debian's Chromium; `.ci/run` installs it. The test fails, never skips, when it is missing. */
const executablePath = '/usr/bin/chromium';

const running = useSandboxGateway();
let userDataDir: string;
let browser: BrowserContext;
let page: Page;
const requested: string[] = [];

beforeAll(async () => {
  userDataDir = mkdtempSync(join(tmpdir(), 'graphiql-'));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage();
  page.on('request', (request) => requested.push(request.url()));
  await page.goto(running.gateway.url, { waitUntil: 'load' });
}, 60_000);

afterAll(async () => {
  await browser.close();
  rmSync(userDataDir, { recursive: true, force: true });
});

/** The text of a GraphiQL editor, as the page shows it (Monaco renders lines as `div`s). */
const editorText = async (selector: string): Promise<string> =>
  (await page.locator(`${selector} .view-lines`).filter({ visible: true }).first().innerText()).replaceAll(
    '\u00a0',
    ' ',
  );

/** Runs the document and waits until the response pane shows `expected`. */
async function run(expected: string): Promise<string> {
  await page.locator('.graphiql-execute-button').click();
  const response = page.locator('.graphiql-response');
  await response.getByText(expected).first().waitFor({ timeout: 15_000 });
  return (await response.innerText()).replaceAll('\u00a0', ' ');
}

describe('GraphiQL in a real browser, offline', () => {
  it('renders, from the gateway alone', async () => {
    await page.locator('.graphiql-container').first().waitFor({ timeout: 15_000 });
    expect(await page.title()).toBe('Drata GraphQL gateway');
    const origin = new URL(running.gateway.url).origin;
    const elsewhere = requested.filter((url) => /^https?:/.test(url) && new URL(url).origin !== origin);
    expect(elsewhere).toEqual([]);
    expect(requested.filter((url) => url.startsWith(origin)).length).toBeGreaterThan(0);
  });

  it('opens on the default document, a connections query, with the sandbox token in the headers', async () => {
    await expect
      .poll(() => editorText('.graphiql-query-editor'), { timeout: 10_000 })
      .toContain('query Connections {');
    const query = await editorText('.graphiql-query-editor');
    expect(query).toContain('connections(');
    expect(defaultDocument).toContain(query.split('\n')[0]!);
    await expect
      .poll(async () => (await editorText('.graphiql-editor-tool')).replace(/\s+/g, ''), { timeout: 10_000 })
      .toBe('{"Authorization":"Bearersandbox-token"}');
  });

  it('running the default document as it stands shows connection data', async () => {
    const response = await run('"clientType"');
    expect(response).toContain('"connections"');
    expect(response).toContain('"state": "ACTIVE"');
    expect(response).not.toContain('"errors"');
    await page.screenshot({ path: 'test-results/graphiql.png' });
  });

  it("running it with the sandbox's 403 token shows FORBIDDEN", async () => {
    // Pasted, not typed: the editor closes brackets and quotes as they are typed.
    const headers = '{"Authorization": "Bearer sandbox-403"}';
    await browser.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(running.gateway.url).origin,
    });
    await page.evaluate((text) => navigator.clipboard.writeText(text), headers);
    await page.locator('.graphiql-editor-tool .view-lines').filter({ visible: true }).first().click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('ControlOrMeta+V');
    await expect
      .poll(async () => (await editorText('.graphiql-editor-tool')).trim(), { timeout: 5000 })
      .toBe(headers);
    const response = await run('FORBIDDEN');
    expect(response).toContain('"code": "FORBIDDEN"');
    expect(response).toContain('"connections": null');
    await page.screenshot({ path: 'test-results/graphiql-forbidden.png' });
  });

  it('is off when the gateway is told so (the default in production)', async () => {
    await using off = await startGateway({ baseUrl: running.sandbox.baseUrl, graphiql: false });
    const response = await fetch(off.url, { headers: { accept: 'text/html' } });
    expect(response.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(await response.text()).not.toContain('<html');
    const on = await fetch(running.gateway.url, { headers: { accept: 'text/html' } });
    expect(on.headers.get('content-type')).toContain('text/html');
  });

  it('asked nothing of any host but the gateway, start to end', () => {
    const origin = new URL(running.gateway.url).origin;
    expect(requested.filter((url) => /^https?:/.test(url) && new URL(url).origin !== origin)).toEqual([]);
  });
});

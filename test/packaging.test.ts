import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { settings } from '../src/settings.js';
import { graphql } from './helpers.js';
import { ready, root, run } from './process.js';

const exec = promisify(execFile);
const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const settingNames = settings.flatMap((group) => group.settings.map((setting) => setting.name));

/** The relative modules `file` imports statically (`import … from './x.js'`), as resolved URLs. */
const staticImports = (file: URL): URL[] =>
  [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gm)].map(
    (match) => new URL(match[1]!, file),
  );

/** Every module `entry` reaches through static relative imports, itself included, as URLs' hrefs. */
function staticGraph(entry: URL): Set<string> {
  const seen = new Set<string>();
  const visit = (file: URL): void => {
    if (seen.has(file.href)) return;
    seen.add(file.href);
    for (const imported of staticImports(file)) visit(imported);
  };
  visit(entry);
  return seen;
}

describe('the build', () => {
  beforeAll(async () => {
    await exec('npm', ['run', 'build', '--silent'], { cwd: root });
  }, 120_000);

  it('runs from dist/ without compiling at run time: serves the sandbox and drains on SIGTERM', async () => {
    const started = run({}, ['dist/index.js']);
    const { graphqlUrl } = await ready(started);
    const answer = await graphql(graphqlUrl, '{ connections(page: { limit: 2 }) { total nodes { id } } }', {
      headers: { authorization: 'Bearer sandbox-token' },
    });
    expect(answer.body).toEqual({ data: { connections: { total: 160, nodes: [{ id: '1' }, { id: '2' }] } } });
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  });

  it('never loads the sandbox unless it is used: no static import reaches it', () => {
    const seen = staticGraph(new URL('../dist/index.js', import.meta.url));
    expect(seen.size).toBeGreaterThan(10);
    expect([...seen].filter((href) => href.includes('/sandbox/'))).toEqual([]);
  });

  it('never loads ioredis unless REDIS_URL is set: no static import reaches it', () => {
    const seen = staticGraph(new URL('../dist/index.js', import.meta.url));
    const loading = [...seen].filter((href) => /from\s+'ioredis'/.test(readFileSync(new URL(href), 'utf8')));
    expect(loading).toEqual([]);
    expect(readFileSync(new URL('../dist/upstream/redis.js', import.meta.url), 'utf8')).toMatch(
      /from 'ioredis'/,
    );
  });

  it('has a command whose --help names every setting, and which refuses unknown arguments', async () => {
    const { stdout } = await exec(process.execPath, ['bin/drata-graphql-gateway.js', '--help'], {
      cwd: root,
    });
    const listed = [...stdout.matchAll(/^ {2}([A-Z][A-Z0-9_]+) /gm)].map((match) => match[1]);
    expect(listed).toEqual(settingNames);
    const version = await exec(process.execPath, ['bin/drata-graphql-gateway.js', '--version'], {
      cwd: root,
    });
    expect(version.stdout).toBe(`${(JSON.parse(read('package.json')) as { version: string }).version}\n`);
    await expect(
      exec(process.execPath, ['bin/drata-graphql-gateway.js', '--port=1'], { cwd: root }),
    ).rejects.toMatchObject({
      code: 2,
      stderr: 'drata-graphql-gateway: unknown argument "--port=1"; see drata-graphql-gateway --help\n',
    });
  });
});

describe('the settings', () => {
  it('list every variable the configuration reads, and the README documents each one', () => {
    const named = [
      ...read('src/config.ts').matchAll(/env, '([A-Z][A-Z0-9_]+)'|env\['([A-Z][A-Z0-9_]+)'\]/g),
    ].map((match) => match[1] ?? match[2]);
    const resilience = [...read('src/config.ts').matchAll(/\['(DRATA_[A-Z_]+)', '/g)].map(
      (match) => match[1],
    );
    const variables = new Set([...named, ...resilience]);
    expect([...variables].filter((name) => !settingNames.includes(name!))).toEqual([]);
    const readme = read('README.md');
    expect(settingNames.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });
});

interface Deployment {
  readonly kind: 'Deployment';
  readonly spec: {
    readonly replicas: number;
    readonly template: {
      readonly spec: {
        readonly terminationGracePeriodSeconds: number;
        readonly containers: readonly {
          readonly env: readonly { readonly name: string; readonly value: string }[];
          readonly readinessProbe: { readonly httpGet: unknown };
          readonly livenessProbe: { readonly httpGet: unknown };
        }[];
      };
    };
  };
}
interface Service {
  readonly kind: 'Service';
  readonly spec: { readonly ports: readonly { readonly targetPort: string }[] };
}
interface DisruptionBudget {
  readonly kind: 'PodDisruptionBudget';
  readonly spec: { readonly minAvailable: number };
}

describe('the container and Kubernetes example', () => {
  const dockerfile = read('Dockerfile');

  it('builds on Node 24 slim in stages, runs the build as a non-root user, checks /healthz, listens on 0.0.0.0', () => {
    expect(dockerfile.match(/^FROM .*/gm)).toEqual(['FROM node:24-slim AS build', 'FROM node:24-slim']);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    expect(dockerfile).toMatch(/HOST=0\.0\.0\.0/);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/index\.js"\]$/m);
    // What the image copies from the repository exists.
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) =>
      match[1]!.split(' '),
    );
    expect(copied.filter((path) => !existsSync(new URL(`../${path}`, import.meta.url)))).toEqual([]);
  });

  it('probes readiness at /readyz and liveness at /healthz, drains within the pod grace, and divides the rate', () => {
    const [deployment, service, budget] = parseAllDocuments(read('deploy/kubernetes.yaml')).map(
      (document) => document.toJS() as unknown,
    ) as [Deployment, Service, DisruptionBudget];
    expect([deployment.kind, service.kind, budget.kind]).toEqual([
      'Deployment',
      'Service',
      'PodDisruptionBudget',
    ]);
    const { spec } = deployment.spec.template;
    const container = spec.containers[0]!;
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    const env = Object.fromEntries(container.env.map((entry) => [entry.name, entry.value]));
    expect(
      Object.keys(env).filter((name) => !settingNames.includes(name) && !name.startsWith('OTEL_')),
    ).toEqual([]);
    const drainMs = Number(env['SHUTDOWN_DELAY_MS']) + Number(env['SHUTDOWN_GRACE_MS']);
    expect(spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(drainMs);
    expect(Number(env['DRATA_RATE_LIMIT_PER_MINUTE']) * deployment.spec.replicas).toBeLessThanOrEqual(450);
    expect(service.spec.ports[0]!.targetPort).toBe('http');
    expect(budget.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
  });
});

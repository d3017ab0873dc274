import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, type GatewayConfig } from './config.js';
import { createHttpServer, defaultHttpOptions } from './http.js';
import { createLogger } from './logger.js';
import { sandboxToken, startSandbox, type Sandbox } from './sandbox/server.js';
import { createGateway } from './server.js';
import { startTracing } from './tracing.js';

/** Starts the gateway as configured by the environment, and stops it cleanly on SIGINT or SIGTERM. */
async function main(): Promise<void> {
  let config: GatewayConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`drata-graphql-gateway: ${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  const sandbox: Sandbox | undefined = config.upstream.kind === 'sandbox' ? await startSandbox() : undefined;
  const baseUrl = config.upstream.kind === 'sandbox' ? sandbox!.baseUrl : config.upstream.baseUrl;
  // OpenTelemetry traces, when the OTEL_* variables ask for them.
  const tracing = await startTracing(process.env, logger);
  const gateway = createGateway({
    baseUrl,
    resilience: config.resilience,
    entityScan: config.entityScan,
    maxUpstreamCallsPerOperation: config.maxUpstreamCallsPerOperation,
    documentLimits: config.documentLimits,
    production: config.production,
    introspection: config.introspection,
    corsOrigins: config.corsOrigins,
    ...(config.trustedDocuments ? { trustedDocuments: config.trustedDocuments } : {}),
    logger,
    graphiql: config.graphiql ? (sandbox ? 'sandbox' : 'drata') : false,
    ...(tracing
      ? { plugins: [tracing.plugin], observers: [tracing.observer], traceOf: tracing.traceOf }
      : {}),
  });
  const server = createHttpServer(gateway, {
    ...defaultHttpOptions,
    maxRequestBytes: config.maxRequestBytes,
  });
  server.on('error', (error) => {
    logger.fatal({ err: error }, `Cannot listen on ${config.host}:${config.port}`);
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const graphqlUrl = `http://${host}:${port}/graphql`;
    if (sandbox) {
      logger.info(
        { graphqlUrl, upstream: 'sandbox' },
        `Gateway ready at ${graphqlUrl} on the embedded sandbox (not Drata): send "Authorization: Bearer ${sandboxToken}"`,
      );
    } else {
      logger.info(
        { graphqlUrl, upstream: baseUrl.origin },
        `Gateway ready at ${graphqlUrl}, calling Drata at ${baseUrl.origin}`,
      );
    }
  });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Shutting down');
    server.close(() => {
      void Promise.all([gateway.close(), sandbox?.close(), tracing?.shutdown()]).then(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 5000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await main();

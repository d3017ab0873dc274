import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, type GatewayConfig } from './config.js';
import { createHttpServer, defaultHttpOptions } from './http.js';
import { createLogger } from './logger.js';
import { createMetrics, startMetricsServer } from './metrics.js';
import { sandboxToken, startSandbox, type Sandbox } from './sandbox/server.js';
import { createGateway } from './server.js';

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
  const metrics = config.metrics ? createMetrics({ endpoint: config.metricsPort === undefined }) : undefined;
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
    ...metrics?.gatewayOptions,
  });
  metrics?.watch(gateway.upstream);
  if (metrics && config.metricsPort !== undefined) {
    const { host, metricsPort: port } = config;
    await startMetricsServer(metrics.registry, { host, port, logger }).catch(() => process.exit(1));
  }
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
      void Promise.all([gateway.close(), sandbox?.close()]).then(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 5000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await main();

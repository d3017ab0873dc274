import type {
  DrataClientType,
  DrataConnectionState,
  DrataConnectionSummary,
  DrataProviderType,
  QueryResolvers,
} from '../../__generated__/resolvers.js';
import { GatewayError } from '../../errors.js';
import type { ConnectionPageDto } from '../../upstream/types.js';
import { toSchemaEnum } from '../enums.js';
import { toListFilter } from './connections.js';

/** `entries` by `count` descending, then by name in code-point order (A to Z): one order everywhere. */
function sorted<T extends { readonly count: number }>(entries: T[], name: (entry: T) => string): T[] {
  return entries.sort((a, b) => b.count - a.count || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
}

/**
 * Counts connections page by page, each connection once by its `id` (should the list shift while it
 * is read, a connection seen on two pages is not counted twice). Values the schema does not list
 * count under `UNKNOWN`, after `report` has noted them.
 */
export function createSummaryCounter(report: (enumName: string, value: string) => void): {
  add: (page: ConnectionPageDto) => void;
  summary: () => DrataConnectionSummary;
} {
  const seen = new Set<string>();
  const states = new Map<DrataConnectionState, number>();
  const clientTypes = new Map<DrataClientType, number>();
  const providerTypes = new Map<DrataProviderType, { count: number; enabledCount: number }>();
  const increment = <K>(counts: Map<K, number>, key: K): void => {
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  const add = (page: ConnectionPageDto): void => {
    for (const connection of page.data) {
      const id = String(connection.id);
      if (seen.has(id)) continue;
      seen.add(id);
      increment(states, toSchemaEnum('DrataConnectionState', connection.state, report));
      increment(clientTypes, toSchemaEnum('DrataClientType', connection.clientType, report));
      // Once per provider type of the connection, enabled when any of its entries for that type is.
      const served = new Map<DrataProviderType, boolean>();
      for (const entry of connection.providerTypes ?? []) {
        const value = toSchemaEnum('DrataProviderType', entry.value, report);
        served.set(value, (served.get(value) ?? false) || entry.isEnabled);
      }
      for (const [value, enabled] of served) {
        const counts = providerTypes.get(value) ?? { count: 0, enabledCount: 0 };
        counts.count += 1;
        if (enabled) counts.enabledCount += 1;
        providerTypes.set(value, counts);
      }
    }
  };
  const summary = (): DrataConnectionSummary => ({
    total: seen.size,
    byState: sorted(
      [...states].map(([state, count]) => ({ state, count })),
      (entry) => entry.state,
    ),
    byProviderType: sorted(
      [...providerTypes].map(([providerType, counts]) => ({ providerType, ...counts })),
      (entry) => entry.providerType,
    ),
    byClientType: sorted(
      [...clientTypes].map(([clientType, count]) => ({ clientType, count })),
      (entry) => entry.clientType,
    ),
  });
  return { add, summary };
}

/**
 * `Query.connectionSummary`: counts over the whole filtered list, read by the list reader through
 * the request's page loader. A list longer than the page cap is not read past page 1: it fails with
 * `SCAN_LIMIT_REACHED`.
 */
export const connectionSummary: NonNullable<QueryResolvers['connectionSummary']> = async (
  _parent,
  args,
  context,
) => {
  const session = context.drata();
  const filter = toListFilter(args.filter, context.requestId);
  const counter = createSummaryCounter(context.reportUnknownValue);
  const read = await session.readList(filter, counter.add, (shape) => shape.capped);
  if (read.capped) {
    throw new GatewayError(
      'SCAN_LIMIT_REACHED',
      `${read.total} connections match the filter: ${read.pages} pages of ${read.pageSize}, more than the ${session.listReader.maxPages} a read of the whole list may fetch (DRATA_LIST_MAX_PAGES). Narrow the filter.`,
      { requestId: context.requestId },
    );
  }
  return counter.summary();
};

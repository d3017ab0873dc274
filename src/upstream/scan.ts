import { GatewayError } from '../errors.js';
import type { ConnectionDto, ConnectionPageDto } from './types.js';

/** How far an entity lookup may scan Drata's list, which has no lookup by id. */
export interface EntityScanOptions {
  /** Pages one lookup may read at most (50 connections each, when Drata answers the 50 asked for). */
  readonly maxPages: number;
  /** Pages read at once. */
  readonly parallelism: number;
}

export const defaultEntityScan: EntityScanOptions = { maxPages: 40, parallelism: 4 };

/** The page size of a scan: Drata's largest. */
export const scanPageSize = 50;

/**
 * Finds connections by id in one scan of Drata's list: page 1 first (it tells the total and the page
 * size Drata actually used), then the
 * rest `parallelism` pages at a time, stopping as soon as every id is found or the list ends, and at
 * `maxPages` at the latest. Returns, for each id in order, its connection, `null` when the whole list
 * was read without it, a `SCAN_LIMIT_REACHED` error when the scan stopped at its cap first, or the
 * error that stopped the scan.
 */
export async function findConnectionsById(
  ids: readonly string[],
  loadPage: (page: number) => Promise<ConnectionPageDto>,
  options: EntityScanOptions,
  requestId: string,
): Promise<(ConnectionDto | null | Error)[]> {
  const wanted = new Set(ids);
  const found = new Map<string, ConnectionDto>();
  const collect = (page: ConnectionPageDto): void => {
    for (const item of page.data) {
      const id = String(item.id);
      if (wanted.has(id) && !found.has(id)) found.set(id, item);
    }
  };
  let failure: Error | undefined;
  let complete = false;
  let scanned = options.maxPages * scanPageSize;
  try {
    const first = await loadPage(1);
    collect(first);
    // Pages as Drata cut them: by the limit it answered with, which may differ from the one asked.
    const pageSize = Math.max(1, Math.floor(first.limit));
    const pages = Math.ceil(first.total / pageSize);
    const last = Math.min(pages, options.maxPages);
    for (let next = 2; found.size < wanted.size && next <= last; next += options.parallelism) {
      const batch = Array.from(
        { length: Math.min(options.parallelism, last - next + 1) },
        (_, index) => next + index,
      );
      (await Promise.all(batch.map(loadPage))).forEach(collect);
    }
    complete = pages <= options.maxPages;
    scanned = last * pageSize;
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
  }
  return ids.map((id) => {
    const connection = found.get(id);
    if (connection) return connection;
    if (failure) return failure;
    if (complete) return null;
    return new GatewayError(
      'SCAN_LIMIT_REACHED',
      `DrataConnection ${JSON.stringify(id.slice(0, 64))} is not among the first ${scanned} connections, as far as a lookup reads.`,
      { requestId },
    );
  });
}

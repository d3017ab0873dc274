import { GatewayError } from '../errors.js';
import { readList, type ListReaderOptions } from './list-reader.js';
import type { ConnectionDto, ConnectionPageDto } from './types.js';

/**
 * Finds connections by id in one read of Drata's whole list (see `readList`), stopping as soon as
 * every id is found or the list ends, and at `maxPages` at the latest. Returns, for each id in order,
 * its connection, `null` when the whole list was read without it, a `SCAN_LIMIT_REACHED` error when
 * the read stopped at its cap first, or the error that stopped the read.
 */
export async function findConnectionsById(
  ids: readonly string[],
  loadPage: (page: number) => Promise<ConnectionPageDto>,
  options: ListReaderOptions,
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
  let scanned = 0;
  try {
    const read = await readList(loadPage, options, collect, () => found.size >= wanted.size);
    complete = !read.capped;
    scanned = Math.min(read.pages, options.maxPages) * read.pageSize;
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

import { connectionsQuery } from './query.js';
import type { ConnectionPageDto, ListConnectionsParams } from './types.js';

/** How far one read of Drata's list may go. */
export interface ListReaderOptions {
  /** Pages one read may fetch at most (`DRATA_LIST_MAX_PAGES`): 50 connections each, when Drata answers the 50 asked for. */
  readonly maxPages: number;
  /** Pages fetched at once after the first (`DRATA_ENTITY_SCAN_PARALLELISM`). */
  readonly parallelism: number;
}

export const defaultListReader: ListReaderOptions = { maxPages: 40, parallelism: 4 };

/** The page size of a list read: Drata's largest. */
export const listPageSize = 50;

/** Which connections a list read covers: the filter of `connections`, already validated. */
export interface ListFilter {
  readonly providerTypes?: readonly string[];
  readonly state?: NonNullable<ListConnectionsParams['state']>;
}

/**
 * The loader key of one page of a list read: `connectionsQuery` of that page at `limit=50` in the
 * default order, so it is the very key of a `connections(filter, page: { page, limit: 50 })` field.
 */
export const listPageQuery = (filter: ListFilter, page: number): string =>
  connectionsQuery({ page, limit: listPageSize, ...filter });

/** The shape of a list as page 1 told it. */
export interface ListShape {
  /** Connections matching the filter, as Drata counted them. */
  readonly total: number;
  /** The page size Drata answered with (at most the 50 asked for; at least 1). */
  readonly pageSize: number;
  /** Pages the list fills at `pageSize`. */
  readonly pages: number;
  /** Whether the list fills more pages than a read may fetch. */
  readonly capped: boolean;
}

/** What a list read did. */
export interface ListRead extends ListShape {
  /** Pages fetched (or joined from the operation's other fields), page 1 included. */
  readonly pagesRead: number;
  /** Whether every page of the list was read. */
  readonly complete: boolean;
}

/**
 * Reads a filtered list: page 1 first (it tells the total and the page size Drata actually used),
 * then the rest `parallelism` pages at a time, up to `maxPages`, handing every page to `visit` in
 * page order. `until` is asked before each batch after page 1; the read stops when it answers true
 * (an entity lookup stops once every id is found). Pages come from `loadPage`, the operation's page
 * loader, so a page another field of the operation asks for is fetched once. The first failed page
 * rejects the read.
 */
export async function readList(
  loadPage: (page: number) => Promise<ConnectionPageDto>,
  options: ListReaderOptions,
  visit: (page: ConnectionPageDto) => void,
  until: (shape: ListShape) => boolean = () => false,
): Promise<ListRead> {
  const first = await loadPage(1);
  visit(first);
  // Pages as Drata cut them: by the limit it answered with, which may differ from the one asked.
  const pageSize = Math.max(1, Math.floor(first.limit));
  const pages = Math.ceil(first.total / pageSize);
  const shape: ListShape = { total: first.total, pageSize, pages, capped: pages > options.maxPages };
  const last = Math.min(pages, options.maxPages);
  let pagesRead = 1;
  for (let next = 2; next <= last && !until(shape); next += options.parallelism) {
    const batch = Array.from(
      { length: Math.min(options.parallelism, last - next + 1) },
      (_, index) => next + index,
    );
    (await Promise.all(batch.map(loadPage))).forEach(visit);
    pagesRead += batch.length;
  }
  return { ...shape, pagesRead, complete: pagesRead >= pages };
}

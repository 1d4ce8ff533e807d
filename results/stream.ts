/**
 * An optional capability of a results store (STYLE.md §3): a SELECT whose
 * answer arrives in chunks of ClickHouse-formatted bytes, so a caller can
 * pass millions of rows on (`hotbench export --format csv`) holding one
 * chunk at a time instead of the whole result. Both stores have it
 * (`./chdb-store.ts`, `./server-store.ts`); a store without it is refused
 * with a clear line by the caller.
 */
import type { SqlValue, Store } from './store.js';

/**
 * Output formats a stream may ask for; both ClickHouse 18.16 and chdb write
 * them. No `...WithNames`: chdb's stream repeats the header in every chunk.
 */
export type StreamFormat = 'CSV' | 'TabSeparated';

/** A store that can stream a query's answer. */
export interface StreamingStore extends Store {
  /**
   * Runs a SELECT (placeholders bound as in {@link Store.query}) and yields
   * its answer in `format`, chunk by chunk, as ClickHouse writes it. The
   * next chunk is read only when the consumer asks for it. Breaking out of
   * the loop cancels the query.
   */
  queryStream(sql: string, params: Readonly<Record<string, SqlValue>> | undefined, format: StreamFormat): AsyncIterable<Uint8Array>;
}

/** Whether `store` can stream. */
export function canStream(store: Store): store is StreamingStore {
  return typeof (store as Partial<StreamingStore>).queryStream === 'function';
}

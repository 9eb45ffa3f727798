// Which rows ClickHouse refuses for their data, found without storing anything (ADR 0008).
import type { ClickHouse } from './client.ts';

/**
 * ClickHouse error codes that blame the data sent, not the server: parsing and conversion
 * failures. Anything else (network, timeouts, memory, too many parts) is the server's
 * state and is retried as it is.
 */
const DATA_ERROR_CODES = new Set([
  '6', // CANNOT_PARSE_TEXT
  '25', // CANNOT_PARSE_ESCAPE_SEQUENCE (a lone surrogate)
  '26', // CANNOT_PARSE_QUOTED_STRING
  '27', // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  '32', // ATTEMPT_TO_READ_AFTER_EOF
  '38', // CANNOT_PARSE_DATE
  '41', // CANNOT_PARSE_DATETIME
  '53', // TYPE_MISMATCH
  '69', // ARGUMENT_OUT_OF_BOUND
  '70', // CANNOT_CONVERT_TYPE
  '72', // CANNOT_PARSE_NUMBER
  '117', // INCORRECT_DATA
  '131', // TOO_LARGE_STRING_SIZE
  '321', // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  '376', // CANNOT_PARSE_UUID
  '407', // DECIMAL_OVERFLOW
  '691', // UNKNOWN_ELEMENT_OF_ENUM
]);

/** True when ClickHouse refused an insert because of the rows it was sent. */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code !== undefined && DATA_ERROR_CODES.has(String(code));
}

/** A row ClickHouse refuses, with ClickHouse's reason. */
export interface RefusedRow {
  index: number;
  error: string;
}

/**
 * The rows of `rows` that ClickHouse refuses for their data, found by inserting halves
 * into `gate` (a Null-engine table with the target's columns: same parser, nothing
 * stored) until each refused row stands alone. k bad rows in n cost about 2k·log2(n)
 * inserts; a batch without bad rows costs one. Errors that are not about the data are
 * thrown: the caller retries the batch as it is.
 */
export async function refusedRows(
  ch: ClickHouse,
  gate: string,
  rows: readonly object[],
  columns?: readonly string[],
): Promise<RefusedRow[]> {
  const refused: RefusedRow[] = [];
  const tryRange = async (from: number, to: number): Promise<void> => {
    if (from >= to) return;
    try {
      // No dedup: the gate stores nothing, and the same rows are tried more than once.
      await ch.insert(gate, rows.slice(from, to), { insert_deduplicate: 0 }, columns);
    } catch (err) {
      if (!isDataError(err)) throw err;
      if (to - from === 1) {
        refused.push({ index: from, error: err instanceof Error ? err.message : String(err) });
        return;
      }
      const mid = (from + to) >>> 1;
      await tryRange(from, mid);
      await tryRange(mid, to);
    }
  };
  await tryRange(0, rows.length);
  return refused;
}

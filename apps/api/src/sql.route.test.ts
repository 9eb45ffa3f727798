import { describe, expect, it } from 'vitest';
import { resultStream } from './sql.route.ts';

const read = async (s: ReadableStream<Uint8Array>) => new Response(s).text();

describe('resultStream', () => {
  it('streams exactly the JSON of the whole result, however many chunks the rows take', async () => {
    for (const n of [0, 1, 999, 1000, 2501]) {
      const result = {
        columns: [
          { name: 'n', type: 'UInt64' },
          { name: 's', type: 'String' },
        ],
        rows: Array.from({ length: n }, (_, i) => [i, `"quoted" ${i} 😀`]),
        rows_read: n * 2,
        elapsed_ms: 1.5,
      };
      const text = await read(resultStream(result));
      expect(text).toBe(JSON.stringify(result));
    }
  });
});

// ClickHouse over a MessagePort (npm start's HTTP thread): answers, errors of the same kind
// on the caller's side, and a 503 when the owner does not answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { ClickHouseError } from '@clickhouse/client';
import { isAppError } from '@thumbline/core';
import { isClickHouseUnavailable, openClickHouse, type ClickHouse } from './client.ts';
import { clickHouseOverPort, serveClickHouse } from './clickhouse-port.ts';

let owner: ClickHouse;
let remote: ClickHouse;
let dir: string;
const channel = new MessageChannel();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tl-ch-port-'));
  owner = await openClickHouse({ kind: 'embedded', path: dir, database: 'port_test' });
  serveClickHouse(owner, channel.port1);
  remote = clickHouseOverPort(channel.port2, { database: owner.database, embedded: owner.embedded });
});
afterAll(async () => {
  await remote.close();
  channel.port1.close();
  await owner.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('clickHouseOverPort', () => {
  it('runs queries, commands and inserts in the owner', async () => {
    await remote.command('CREATE TABLE IF NOT EXISTS t (k String, v UInt32) ENGINE = MergeTree ORDER BY k');
    await remote.insert('t', [
      { k: 'a', v: 1 },
      { k: 'b', v: 2 },
    ]);
    expect(await owner.query('SELECT k, v FROM t ORDER BY k')).toEqual([
      { k: 'a', v: 1 },
      { k: 'b', v: 2 },
    ]);
    expect(await remote.query('SELECT sum(v) AS s FROM t WHERE k != {k:String}', { k: 'a' })).toEqual([{ s: 2 }]);
    const compact = await remote.queryCompact('SELECT k FROM t ORDER BY k');
    expect(compact.data).toEqual([['a'], ['b']]);
    expect(await remote.ping()).toBe(true);
    expect(remote.database).toBe('port_test');
  });

  it('rejects with the error the owner got: kind, code and type', async () => {
    const there = (await owner.query('SELECT nope FROM t').catch((e: unknown) => e)) as Error;
    const here = (await remote.query('SELECT nope FROM t').catch((e: unknown) => e)) as Error;
    expect(here.message).toBe(there.message);
    expect(here).toMatchObject({ code: '47', type: 'UNKNOWN_IDENTIFIER' });
    expect(isClickHouseUnavailable(here)).toBe(false);
  });

  it("rebuilds the client's ClickHouseError as itself", async () => {
    const echo = new MessageChannel();
    const failing = {
      ...owner,
      query: () =>
        Promise.reject(new ClickHouseError({ message: 'busy', code: '202', type: 'TOO_MANY_SIMULTANEOUS_QUERIES' })),
      ping: () => Promise.reject(new Error('unused')),
    } as ClickHouse;
    serveClickHouse(failing, echo.port1);
    const far = clickHouseOverPort(echo.port2, { database: 'x', embedded: true });
    const err = await far.query('SELECT 1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClickHouseError);
    expect(isClickHouseUnavailable(err)).toBe(true);
    echo.port1.close();
    await far.close();
  });

  it('answers 503 when the owner does not answer', async () => {
    const silent = new MessageChannel(); // nobody serves port1
    const stuck = clickHouseOverPort(silent.port2, { database: 'x', embedded: true, timeouts: { queryMs: 100 } });
    const t0 = performance.now();
    const err = await stuck.query('SELECT 1').catch((e: unknown) => e);
    expect(isAppError(err, 'overloaded')).toBe(true);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(await stuck.ping()).toBe(false);
    silent.port1.close();
    await stuck.close();
  });
});

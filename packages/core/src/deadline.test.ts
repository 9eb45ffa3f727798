import { describe, expect, it } from 'vitest';
import { dependencyUnavailable, withDeadline } from './deadline.ts';

describe('withDeadline', () => {
  it('answers with the work when it is in time, and with the timeout error when it is not', async () => {
    await expect(withDeadline(Promise.resolve(7), 50, () => new Error('late'))).resolves.toBe(7);
    const never = new Promise<number>(() => undefined);
    const started = Date.now();
    await expect(withDeadline(never, 30, () => dependencyUnavailable('Redis'))).rejects.toMatchObject({
      code: 'overloaded',
      status: 503,
      headers: { 'Retry-After': '2' },
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("passes the work's own failure through", async () => {
    await expect(withDeadline(Promise.reject(new Error('boom')), 50, () => new Error('late'))).rejects.toThrow('boom');
  });
});

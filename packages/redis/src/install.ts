// The install record: what is fixed when an install is created and must never change
// under its data (ADR 0009).
import type { RedisClient } from './client.ts';

/**
 * The install's partition count: stored by the first process that starts on this Redis
 * (and prefix) with `wanted`, read back by every later one. Where each conversation's
 * events and state live depends on it, so a different `wanted` later is ignored, with a
 * warning from the caller.
 */
export async function ensureInstall(
  redis: RedisClient,
  installKey: string,
  wanted: number,
): Promise<{ partitions: number; created: boolean }> {
  const created = (await redis.hsetnx(installKey, 'partitions', String(wanted))) === 1;
  const stored = Number(await redis.hget(installKey, 'partitions'));
  if (!Number.isInteger(stored) || stored < 1) throw new Error(`corrupt install record ${installKey}`);
  return { partitions: stored, created };
}

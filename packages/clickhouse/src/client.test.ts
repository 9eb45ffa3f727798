import { ClickHouseError } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import { AppError } from '@thumbline/core';
import { isClickHouseUnavailable } from './client.ts';

const chError = (code: string) => new ClickHouseError({ message: `Code: ${code}`, code, type: 'X' });

describe('isClickHouseUnavailable', () => {
  it('is true for load, limits, network and a cluster short of replicas; false for a wrong query', () => {
    for (const code of ['159', '202', '241', '285', '286', '319', '999'])
      expect(isClickHouseUnavailable(chError(code))).toBe(true);
    for (const code of ['62', '47', '60', '25']) expect(isClickHouseUnavailable(chError(code))).toBe(false);
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(isClickHouseUnavailable(refused)).toBe(true);
    expect(isClickHouseUnavailable(new AppError('overloaded', 503, 'x'))).toBe(true);
    expect(isClickHouseUnavailable(new Error('invalid table name: x'))).toBe(false);
  });
});

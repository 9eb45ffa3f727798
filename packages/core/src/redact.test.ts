import { describe, expect, it } from 'vitest';
import { redactedError, redactQuoted } from './redact.ts';

describe('redactQuoted', () => {
  it.each([
    ["Cannot parse string 'reason s3cr3t' as UInt8", "Cannot parse string '…' as UInt8"],
    ["In scope SELECT toUInt8('it\\'s s3cr3t') AS n", "In scope SELECT toUInt8('…') AS n"],
    ['expected "\\"" before: "s3cr3t\\": 1}"', 'expected "…" before: "…"'],
    ["before: 's3cr3t and more", "before: '…'"],
    ['Unknown identifier `s3cr3t`', 'Unknown identifier `…`'],
    ["a 'x''s3cr3t' b", "a '…' b"],
    ['line one\nCode: 6. no quotes here', 'line one\nCode: 6. no quotes here'],
  ])('%s', (text, redacted) => {
    expect(redactQuoted(text)).toBe(redacted);
    expect(redactQuoted(text)).not.toContain('s3cr3t');
  });
});

describe('redactedError', () => {
  it('keeps the name, code, type and frames; drops the values', () => {
    const err = Object.assign(new Error("Cannot parse string 's3cr3t' as UInt8"), {
      code: '6',
      type: 'CANNOT_PARSE_TEXT',
    });
    err.name = 'ClickHouseError';
    const out = redactedError(err);
    expect(out.name).toBe('ClickHouseError');
    expect(out.message).toBe("Code: 6 (CANNOT_PARSE_TEXT). Cannot parse string '…' as UInt8");
    expect(out.stack).not.toContain('s3cr3t');
    expect(
      out.stack
        ?.split('\n')
        .slice(1)
        .every((l) => /^\s+at /.test(l)),
    ).toBe(true);
    expect((out as Error & { code?: string }).code).toBe('6');
  });

  it('takes a thrown non-error', () => {
    expect(redactedError("boom 's3cr3t'").message).toBe("boom '…'");
  });
});

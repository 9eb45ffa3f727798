import { describe, expect, it } from 'vitest';
import { attachmentName } from './api.ts';

describe('attachmentName', () => {
  it('takes the quoted file name of an attachment, and nothing that names a path', () => {
    expect(attachmentName('attachment; filename="conversations-2026-11-01-2026-11-30.csv"')).toBe(
      'conversations-2026-11-01-2026-11-30.csv',
    );
    expect(attachmentName(null)).toBeNull();
    expect(attachmentName('attachment')).toBeNull();
    expect(attachmentName('attachment; filename="../etc/passwd"')).toBeNull();
  });
});

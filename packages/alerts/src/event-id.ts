import { createHash } from 'node:crypto';

/**
 * The id of a rule's n-th transition, shaped as a UUID and derived from (workspace, rule, n):
 * an evaluation that is repeated after a crash names the same transition with the same id,
 * so its delivery job and log entry are not created twice.
 */
export function transitionEventId(workspaceId: string, ruleId: string, n: number): string {
  const h = createHash('sha256').update(`${workspaceId}\u0000${ruleId}\u0000${n}`).digest('hex');
  // RFC 9562 version 8 (custom) and the RFC variant bits.
  const variant = ((parseInt(h[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

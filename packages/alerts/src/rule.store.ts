import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '@thumbline/core';
import { alertRuleBodySchema, type AlertRule, type AlertRuleBody } from '@thumbline/events';
import type { Keys, RedisClient } from '@thumbline/redis';
import { runScript } from './scripts.ts';

/** Rules one workspace may have (each is evaluated on every counted batch of the workspace). */
export const MAX_RULES_PER_WORKSPACE = 100;

/** A rule as stored: the validated body (secret included), its id and creation time. */
export type StoredRule = AlertRuleBody & { id: string; created_at: string };

const storedMeta = z.object({ id: z.string(), created_at: z.string() });

/** A stored rule, read back with the same schema that validated it (null when unreadable). */
function parseStored(json: string): StoredRule | null {
  const raw: unknown = JSON.parse(json);
  const body = alertRuleBodySchema.safeParse(raw);
  const meta = storedMeta.safeParse(raw);
  return body.success && meta.success ? { ...body.data, ...meta.data } : null;
}

/** The rule as the API shows it: never the secret. */
export function publicRule(rule: StoredRule, status: AlertRule['status']): AlertRule {
  const { webhook, ...rest } = rule;
  return {
    ...rest,
    webhook: { url: webhook.url, format: webhook.format, has_secret: webhook.secret !== undefined },
    status,
  };
}

/** A workspace's alert rules in Redis (one hash per workspace) and the set of workspaces that have any. */
export class RuleStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Saves a new rule; `409 too_many_rules` past MAX_RULES_PER_WORKSPACE. */
  async create(ws: string, body: AlertRuleBody, now = Date.now()): Promise<StoredRule> {
    const rule: StoredRule = { id: `rule_${randomUUID()}`, created_at: new Date(now).toISOString(), ...body };
    const saved = await runScript(
      this.redis,
      'createRule',
      this.keys.alerts(ws).rules,
      rule.id,
      JSON.stringify(rule),
      MAX_RULES_PER_WORKSPACE,
    );
    if (saved !== 1) {
      throw new AppError(
        'too_many_rules',
        409,
        `a workspace may have at most ${MAX_RULES_PER_WORKSPACE} alert rules; delete one first`,
      );
    }
    // After the rule exists: the sweep and the batch hook find the workspace from here on.
    await this.redis.sadd(this.keys.alertWorkspaces, ws);
    return rule;
  }

  async list(ws: string): Promise<StoredRule[]> {
    const raw = await this.redis.hgetall(this.keys.alerts(ws).rules);
    const rules: StoredRule[] = [];
    for (const json of Object.values(raw)) {
      const rule = parseStored(json);
      if (rule) rules.push(rule);
    }
    return rules.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }

  async get(ws: string, id: string): Promise<StoredRule | null> {
    const json = await this.redis.hget(this.keys.alerts(ws).rules, id);
    return json === null ? null : parseStored(json);
  }

  /** Deletes a rule and its state; false when there was none. */
  async delete(ws: string, id: string): Promise<boolean> {
    const k = this.keys.alerts(ws);
    const [[, removed]] = (await this.redis.multi().hdel(k.rules, id).hdel(k.state, id).exec()) as [[unknown, number]];
    if (removed !== 1) return false;
    if ((await this.redis.hlen(k.rules)) === 0) {
      await this.redis.srem(this.keys.alertWorkspaces, ws);
      // A rule created meanwhile (saved before our SREM) puts the workspace back.
      if ((await this.redis.hlen(k.rules)) > 0) await this.redis.sadd(this.keys.alertWorkspaces, ws);
    }
    return true;
  }

  /** Which of `workspaces` have rules (one round trip). */
  async withRules(workspaces: readonly string[]): Promise<string[]> {
    if (workspaces.length === 0) return [];
    const member = (await this.redis.smismember(this.keys.alertWorkspaces, ...workspaces)) as number[];
    return workspaces.filter((_, i) => member[i] === 1);
  }

  /** Every workspace with rules, in pages (the sweep). */
  async *workspaces(): AsyncGenerator<string[]> {
    let cursor = '0';
    do {
      const [next, page] = await this.redis.sscan(this.keys.alertWorkspaces, cursor, 'COUNT', 500);
      cursor = next;
      if (page.length > 0) yield page;
    } while (cursor !== '0');
  }
}

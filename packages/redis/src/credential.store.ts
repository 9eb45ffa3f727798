import { hash as digest, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RedisClient } from './client.ts';
import type { Keys } from './keys.ts';
import { Lru } from './lru.ts';

/** What a token lets its holder do (docs/security.md, "What each key can do"). */
export type CredentialKind = 'public' | 'secret' | 'dashboard' | 'admin';

export interface Credential {
  workspace_id: string;
  kind: CredentialKind;
  /** Non-secret id of the token (a prefix of its hash), for rate limits and logs. */
  key_id: string;
}

export interface Workspace {
  id: string;
  /** IANA zone used when a query names none. */
  tz: string;
  /** Origins a public key may be used from; `*` matches a port or a subdomain label. */
  allowed_origins: string[];
}

const PREFIX: Record<CredentialKind, string> = { public: 'pk', secret: 'sk', dashboard: 'dt', admin: 'at' };

/** A new random token of a kind, e.g. `pk_…` (24 random bytes, base64url). */
export function newToken(kind: CredentialKind): string {
  return `${PREFIX[kind]}_${randomBytes(24).toString('base64url')}`;
}

/** Every token newToken makes: a kind prefix and 32 base64url characters. */
const TOKEN_SHAPE = /^(?:pk|sk|dt|at)_[A-Za-z0-9_-]{32}$/;

/**
 * True when `token` could be a token (see newToken). Checked before any hashing or
 * lookup, so a caller cannot make the process hash, look up or hold megabytes of junk.
 */
export function isTokenShaped(token: unknown): token is string {
  return typeof token === 'string' && token.length === 35 && TOKEN_SHAPE.test(token);
}

/** Tokens are stored hashed: Redis never holds a usable secret. */
export function hashToken(token: string): string {
  return digest('sha256', token, 'hex');
}

/** True when `origin` matches one of `patterns` (`http://localhost:*`). */
export function originAllowed(origin: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    if (pattern === origin) return true;
    if (!pattern.includes('*')) return false;
    const re = new RegExp(
      `^${pattern
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[A-Za-z0-9-]+')}$`,
    );
    return re.test(origin);
  });
}

/** Most credentials a process keeps in memory: far more than it serves, a few MB at most. */
const MAX_CACHED_TOKENS = 10_000;

/**
 * Workspaces and their credentials in Redis. Lookups are cached in memory for a few
 * seconds because every ingest request needs one.
 */
export class CredentialStore {
  private readonly cache = new Map<string, { value: unknown; until: number }>();
  /** Found credentials by token hash; a miss is never kept, so junk cannot fill it. */
  private readonly tokens: Lru<string, Credential>;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly cacheMs = 5000,
  ) {
    this.tokens = new Lru(MAX_CACHED_TOKENS, cacheMs);
  }

  private async cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.value as T;
    const value = await load();
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { value, until: now + this.cacheMs });
    return value;
  }

  /**
   * The credential a token stands for, or null. Every ingest request asks, so found
   * credentials are kept for a few seconds (keyed by the token's hash, never the token).
   * A token of the wrong shape is refused without hashing or asking Redis.
   */
  resolve(token: string): Promise<Credential | null> {
    if (!isTokenShaped(token)) return Promise.resolve(null);
    const hash = hashToken(token);
    const hit = this.tokens.get(hash);
    return hit ? Promise.resolve(hit) : this.load(token, hash);
  }

  private async load(token: string, hash: string): Promise<Credential | null> {
    const raw = await this.redis.hget(this.keys.credentials, hash);
    if (!raw) return null;
    const cred = JSON.parse(raw) as Credential & { hash: string };
    const a = Buffer.from(cred.hash ?? '', 'hex');
    const b = Buffer.from(hash, 'hex');
    // A token names its kind: `sk_…` stored as a public key is a corrupt entry, not a key.
    if (a.length !== b.length || !timingSafeEqual(a, b) || !token.startsWith(`${PREFIX[cred.kind]}_`)) return null;
    const value: Credential = { workspace_id: cred.workspace_id, kind: cred.kind, key_id: hash.slice(0, 16) };
    this.tokens.set(hash, value);
    return value;
  }

  /**
   * Which of these token hashes are registered now, read from Redis past the cache (one HMGET
   * per 1000 hashes): a long-lived connection re-checks its token with this, so a revocation
   * reaches it sooner than the cache would let it.
   */
  async registered(hashes: readonly string[]): Promise<Map<string, Omit<Credential, 'key_id'>>> {
    const found = new Map<string, Omit<Credential, 'key_id'>>();
    for (let i = 0; i < hashes.length; i += 1000) {
      const slice = hashes.slice(i, i + 1000);
      const raws = await this.redis.hmget(this.keys.credentials, ...slice);
      raws.forEach((raw, j) => {
        const hash = slice[j];
        if (!raw || hash === undefined) return;
        const cred = JSON.parse(raw) as Omit<Credential, 'key_id'>;
        found.set(hash, { workspace_id: cred.workspace_id, kind: cred.kind });
      });
    }
    return found;
  }

  /** Registers a token for a workspace (idempotent); it must come from newToken. */
  async addToken(token: string, cred: Omit<Credential, 'key_id'>): Promise<void> {
    if (!isTokenShaped(token) || !token.startsWith(`${PREFIX[cred.kind]}_`)) {
      throw new Error(`not a ${cred.kind} token (see newToken)`);
    }
    const hash = hashToken(token);
    await this.redis.hset(
      this.keys.credentials,
      hash,
      JSON.stringify({ workspace_id: cred.workspace_id, kind: cred.kind, hash }),
    );
    this.tokens.delete(hash);
  }

  /** Revokes a token given itself or its key id; returns how many were removed. */
  async revoke(tokenOrKeyId: string): Promise<number> {
    const all = await this.redis.hkeys(this.keys.credentials);
    const hashes = /^[0-9a-f]{16}$/.test(tokenOrKeyId)
      ? all.filter((h) => h.startsWith(tokenOrKeyId))
      : all.filter((h) => h === hashToken(tokenOrKeyId));
    if (hashes.length === 0) return 0;
    await this.redis.hdel(this.keys.credentials, ...hashes);
    this.cache.clear();
    this.tokens.clear();
    return hashes.length;
  }

  /** Key ids and kinds of a workspace's tokens (never the tokens). */
  async list(workspaceId: string): Promise<{ key_id: string; kind: CredentialKind }[]> {
    const all = await this.redis.hgetall(this.keys.credentials);
    return Object.entries(all)
      .map(([hash, raw]) => ({ hash, cred: JSON.parse(raw) as Omit<Credential, 'key_id'> }))
      .filter((e) => e.cred.workspace_id === workspaceId)
      .map((e) => ({ key_id: e.hash.slice(0, 16), kind: e.cred.kind }));
  }

  workspace(id: string): Promise<Workspace | null> {
    return this.cached(`w:${id}`, async () => {
      const raw = await this.redis.get(this.keys.workspace(id));
      return raw ? (JSON.parse(raw) as Workspace) : null;
    });
  }

  async saveWorkspace(ws: Workspace): Promise<void> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(ws.id)) throw new Error(`invalid workspace id: ${ws.id}`);
    await this.redis.set(this.keys.workspace(ws.id), JSON.stringify(ws));
    this.cache.delete(`w:${ws.id}`);
  }
}

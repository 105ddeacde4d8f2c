/**
 * Revoked access tokens, by `jti`. Checking a token must not cost a database round trip on every
 * request, so each process keeps the revoked ids in memory and polls the shared store for new
 * ones: a revocation made by this process applies at once, one made by another process within
 * one poll interval. Entries are dropped once their token would have expired anyway.
 */
export interface RevokedToken {
  jti: string;
  /** When the token expires: after that, expiry rejects it and the entry can go. */
  expiresAt: Date;
  revokedAt: Date;
}

export interface RevocationStore {
  add(entry: RevokedToken): Promise<void>;
  /** Entries revoked at or after `since`, not yet expired. */
  since(since: Date): Promise<RevokedToken[]>;
}

export class TokenRevocations {
  private readonly revoked = new Map<string, number>();
  private lastPoll = new Date(0);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: RevocationStore,
    private readonly pollMs = 1000,
  ) {}

  /** Loads the current list and starts polling. */
  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => void this.poll().catch(() => undefined), this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  isRevoked(jti: string): boolean {
    return this.revoked.has(jti);
  }

  async revoke(jti: string, expiresAt: Date): Promise<void> {
    this.revoked.set(jti, expiresAt.getTime());
    await this.store.add({ jti, expiresAt, revokedAt: new Date() });
  }

  private async poll(): Promise<void> {
    // Overlap the window a little: clocks of processes and the database differ slightly.
    const since = new Date(this.lastPoll.getTime() - 5000);
    this.lastPoll = new Date();
    for (const entry of await this.store.since(since)) this.revoked.set(entry.jti, entry.expiresAt.getTime());
    const now = Date.now();
    for (const [jti, expires] of this.revoked) if (expires < now) this.revoked.delete(jti);
  }
}

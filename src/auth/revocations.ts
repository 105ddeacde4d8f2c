/**
 * Revoked access tokens, by `jti`. Checking a token must not cost a database round trip on every
 * request, so each process keeps the revoked ids in memory and refreshes them from the shared
 * store when a check finds the list older than one poll interval (in the background: that check
 * answers from memory). A revocation made by this process applies at once, one made by another
 * process within about a poll interval of traffic. A process that checks no tokens never polls.
 * Entries are dropped once their token would have expired anyway.
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
  private polling: Promise<void> | undefined;

  constructor(
    private readonly store: RevocationStore,
    private readonly pollMs = 1000,
  ) {}

  /** Loads the current list. */
  async start(): Promise<void> {
    await this.poll();
  }

  isRevoked(jti: string): boolean {
    if (Date.now() - this.lastPoll.getTime() > this.pollMs && !this.polling) {
      this.polling = this.poll()
        .catch(() => undefined)
        .finally(() => (this.polling = undefined));
    }
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

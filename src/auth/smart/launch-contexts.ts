/**
 * EHR launch contexts: a staff user's EHR (or a script acting for them) creates one with
 * POST /oauth2/launch and launches the app with its id as `launch`. A context lives five
 * minutes, may be bound to one client, and is bound to the user who created it: the user who
 * signs in at the authorization page must be the same.
 */
import { randomBytes } from 'node:crypto';

export const LAUNCH_TTL_SECONDS = 300;

export interface LaunchContext {
  id: string;
  patient?: string;
  encounter?: string;
  /** When set, only this client may use the launch. */
  clientId?: string;
  /** The account that created it. */
  createdBy: string;
  expiresAt: Date;
}

export interface LaunchContextStore {
  insert(context: LaunchContext): Promise<void>;
  find(id: string): Promise<LaunchContext | undefined>;
}

export class LaunchContexts {
  constructor(private readonly store: LaunchContextStore) {}

  async create(context: Omit<LaunchContext, 'id' | 'expiresAt'>): Promise<LaunchContext> {
    const created: LaunchContext = { ...context, id: randomBytes(24).toString('base64url'), expiresAt: new Date(Date.now() + LAUNCH_TTL_SECONDS * 1000) };
    await this.store.insert(created);
    return created;
  }

  /** The live context `id` names, usable by `clientId`; undefined otherwise. */
  async resolve(id: string, clientId: string): Promise<LaunchContext | undefined> {
    if (typeof id !== 'string' || id.length === 0 || id.length > 100) return undefined;
    const context = await this.store.find(id);
    if (!context || context.expiresAt.getTime() <= Date.now()) return undefined;
    if (context.clientId !== undefined && context.clientId !== clientId) return undefined;
    return context;
  }
}

/**
 * Renewal reminders already sent (domain/licensing/lifecycle/reminders.ts), one document per
 * reminder key in `registry_license_reminders`: the unique _id makes a claim atomic across
 * processes and runs. Kept for a year (TTL), long after the term they belong to has ended.
 */
import type { Db } from 'mongodb';
import type { ReminderStore } from '../../domain/licensing/lifecycle/reminders';
import { isDuplicateKey } from './write-errors';

interface ReminderDoc {
  _id: string;
  sentAt: Date;
}

const KEEP_SECONDS = 366 * 86_400;

export class MongoLicenseReminderStore implements ReminderStore {
  constructor(private readonly db: Db) {}

  private get reminders() {
    return this.db.collection<ReminderDoc>('registry_license_reminders');
  }

  async init(): Promise<void> {
    await this.reminders.createIndexes([{ key: { sentAt: 1 }, expireAfterSeconds: KEEP_SECONDS }]);
  }

  async claim(key: string, at: Date): Promise<boolean> {
    try {
      await this.reminders.insertOne({ _id: key, sentAt: at });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async release(key: string): Promise<void> {
    await this.reminders.deleteOne({ _id: key });
  }
}

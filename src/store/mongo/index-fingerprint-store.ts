/**
 * The search-definition fingerprint each type's stored index was built with
 * (fhir/search/index-maintenance.ts), one document per resource type in `index_fingerprints`.
 */
import type { Db } from 'mongodb';
import type { IndexFingerprintStore, StoredFingerprint } from '../../fhir/search/index-maintenance';

interface FingerprintDoc {
  _id: string;
  /** Absent while a type's first reindex has not completed. */
  fingerprint?: string;
  at: Date;
  pending?: { fingerprint: string; task: string };
}

export class MongoIndexFingerprintStore implements IndexFingerprintStore {
  constructor(private readonly db: Db) {}

  private get fingerprints() {
    return this.db.collection<FingerprintDoc>('index_fingerprints');
  }

  async all(): Promise<Map<string, StoredFingerprint>> {
    const docs = await this.fingerprints.find({}).toArray();
    return new Map(docs.map((doc) => [doc._id, { fingerprint: doc.fingerprint, pending: doc.pending }]));
  }

  async save(entries: ReadonlyMap<string, string>): Promise<void> {
    if (entries.size === 0) return;
    const at = new Date();
    await this.fingerprints.bulkWrite(
      [...entries].map(([type, fingerprint]) => ({ updateOne: { filter: { _id: type }, update: { $set: { fingerprint, at }, $unset: { pending: '' } }, upsert: true } })),
      { ordered: false },
    );
  }

  async markPending(entries: ReadonlyMap<string, string>, task: string): Promise<void> {
    if (entries.size === 0) return;
    const at = new Date();
    await this.fingerprints.bulkWrite(
      [...entries].map(([type, fingerprint]) => ({ updateOne: { filter: { _id: type }, update: { $set: { pending: { fingerprint, task }, at } }, upsert: true } })),
      { ordered: false },
    );
  }
}

/**
 * The search-definition fingerprint each type's stored index was built with
 * (fhir/search/index-maintenance.ts), one document per resource type in `index_fingerprints`.
 */
import type { Db } from 'mongodb';
import type { IndexFingerprintStore } from '../../fhir/search/index-maintenance';

interface FingerprintDoc {
  _id: string;
  fingerprint: string;
  at: Date;
}

export class MongoIndexFingerprintStore implements IndexFingerprintStore {
  constructor(private readonly db: Db) {}

  private get fingerprints() {
    return this.db.collection<FingerprintDoc>('index_fingerprints');
  }

  async all(): Promise<Map<string, string>> {
    const docs = await this.fingerprints.find({}).toArray();
    return new Map(docs.map((doc) => [doc._id, doc.fingerprint]));
  }

  async save(entries: ReadonlyMap<string, string>): Promise<void> {
    if (entries.size === 0) return;
    const at = new Date();
    await this.fingerprints.bulkWrite(
      [...entries].map(([type, fingerprint]) => ({ replaceOne: { filter: { _id: type }, replacement: { fingerprint, at }, upsert: true } })),
      { ordered: false },
    );
  }
}

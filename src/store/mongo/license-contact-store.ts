/**
 * The email of the account linked to a FHIR identity (`Practitioner/123`), for license notices
 * to professionals whose Practitioner has no email telecom. Reads the accounts collection
 * (account-store.ts, `auth_accounts`) directly: the account service has no lookup by identity.
 */
import type { Db } from 'mongodb';

interface AccountEmailDoc {
  _id: string;
  email: string;
  fhirUser?: string;
  active: boolean;
}

export class MongoLicenseContactStore {
  constructor(private readonly db: Db) {}

  async accountEmail(fhirUser: string): Promise<string | undefined> {
    const account = await this.db
      .collection<AccountEmailDoc>('auth_accounts')
      .findOne({ fhirUser, active: true }, { projection: { email: 1 }, sort: { email: 1 } });
    return account?.email;
  }
}

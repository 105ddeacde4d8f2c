/**
 * Where license numbers are allocated (a store: only container.ts knows it is MongoDB). Each
 * server's store is attached to its ResourceService, the object every operation receives, so
 * several servers in one process (the tests) keep their own.
 */

export interface LicenseNumberStore {
  /**
   * Runs `issue` with the next sequence number of `series` (1, 2, … per series) reserved for it.
   * Allocations of one series are serialised: when `issue` succeeds the number is taken; when
   * it throws the reservation is released and the next allocation gets the same number, so the
   * sequence never has a gap. Numbers are unique (a unique key per number).
   */
  allocate<T>(series: string, owner: string, issue: (sequence: number) => Promise<T>): Promise<T>;
}

const stores = new WeakMap<object, LicenseNumberStore>();

export function attachLicenseNumberStore(service: object, store: LicenseNumberStore): void {
  stores.set(service, store);
}

export function licenseNumberStoreOf(service: object): LicenseNumberStore {
  const store = stores.get(service);
  if (!store) throw new Error('no LicenseNumberStore is attached to this server (container.ts)');
  return store;
}

/** The series stayed locked too long (or a number was taken concurrently): try again. */
export class LicenseNumbersBusy extends Error {
  constructor(series: string) {
    super(`license numbers of ${series} are being issued by someone else`);
    this.name = 'LicenseNumbersBusy';
  }
}

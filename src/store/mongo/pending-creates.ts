/**
 * Creates made inside an all-or-nothing group are not sent one by one: they wait here and go
 * out together (one insertMany per collection plus one for history, and one for the index of
 * their contained resources when they have any) when the group next needs the database to
 * reflect them (a read, a match, another kind of write) or when it ends. A transaction Bundle of
 * N new resources then costs a bounded number of round trips instead of two or more per entry.
 */
import type { ContainedDoc } from './contained';
import type { CurrentDoc } from './documents';

export interface PendingBatch {
  byType: Map<string, CurrentDoc[]>;
  contained: ContainedDoc[];
}

export class PendingCreates {
  private byType = new Map<string, CurrentDoc[]>();
  private contained: ContainedDoc[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(type: string, doc: CurrentDoc, contained: readonly ContainedDoc[] = []): void {
    const docs = this.byType.get(type);
    if (docs) docs.push(doc);
    else this.byType.set(type, [doc]);
    this.contained.push(...contained);
    this.count++;
  }

  /** Everything waiting, by type, in the order added, and the contained entries; the buffer is empty afterwards. */
  take(): PendingBatch {
    const taken = { byType: this.byType, contained: this.contained };
    this.byType = new Map();
    this.contained = [];
    this.count = 0;
    return taken;
  }
}

/**
 * Creates made inside an all-or-nothing group are not sent one by one: they wait here and go
 * out together (one insertMany per collection plus one for history) when the group next needs
 * the database to reflect them (a read, a match, another kind of write) or when it ends. A
 * transaction Bundle of N new resources then costs a bounded number of round trips instead of
 * two or more per entry.
 */
import type { CurrentDoc } from './documents';

export class PendingCreates {
  private byType = new Map<string, CurrentDoc[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(type: string, doc: CurrentDoc): void {
    const docs = this.byType.get(type);
    if (docs) docs.push(doc);
    else this.byType.set(type, [doc]);
    this.count++;
  }

  /** Everything waiting, by type, in the order added; the buffer is empty afterwards. */
  take(): Map<string, CurrentDoc[]> {
    const taken = this.byType;
    this.byType = new Map();
    this.count = 0;
    return taken;
  }
}

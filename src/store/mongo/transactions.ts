/**
 * Multi-document transactions need sessions and a replica set or mongos
 * (DESIGN.md §5). `hello` tells both.
 */
import type { Db } from 'mongodb';

export interface HelloReply {
  logicalSessionTimeoutMinutes?: number | null;
  setName?: string;
  msg?: string;
}

export function transactionsSupported(hello: HelloReply): boolean {
  const sessions = typeof hello.logicalSessionTimeoutMinutes === 'number';
  const replicated = typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
  return sessions && replicated;
}

export async function detectTransactions(db: Db): Promise<boolean> {
  const hello = (await db.admin().command({ hello: 1 })) as HelloReply;
  return transactionsSupported(hello);
}

/**
 * vitest globalSetup: one MongoDB for the whole run (DESIGN.md §5). MONGODB_URL wins; otherwise an
 * in-memory mongo-java-server is started once and stopped at the end. Tests read the URL with
 * `inject('mongoUrl')` and use their own database names.
 */
import type { TestProject } from 'vitest/node';
import { startJavaServer } from '../src/store/mongo/engine';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUrl: string;
  }
}

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const external = process.env.MONGODB_URL;
  if (external) {
    provide('mongoUrl', external);
    return async () => undefined;
  }
  const engine = await startJavaServer({ backend: 'memory' });
  provide('mongoUrl', engine.url);
  return () => engine.stop();
}

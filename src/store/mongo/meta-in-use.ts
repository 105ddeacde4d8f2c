/** Profiles, tags and security labels in use across current resources ($meta at type/system level). */
import type { Collection } from 'mongodb';
import type { Coding, Meta } from '@medplum/fhirtypes';
import type { CurrentDoc } from './documents';

function codingKey(coding: Coding): string {
  return `${coding.system ?? ''}|${coding.code ?? ''}|${coding.version ?? ''}`;
}

export async function collectMetaInUse(collections: Array<Collection<CurrentDoc>>): Promise<Meta> {
  const profiles = new Set<string>();
  const tags = new Map<string, Coding>();
  const security = new Map<string, Coding>();
  await Promise.all(
    collections.map(async (collection) => {
      const filter = { deleted: false };
      // `labels` beside the body's text (documents.ts); documents written before it keep the body as an object.
      const distinct = async (label: 'profile' | 'tag' | 'security') =>
        (await Promise.all([collection.distinct(`labels.${label}`, filter), collection.distinct(`resource.meta.${label}`, filter)])).flat();
      const [p, t, s] = await Promise.all([distinct('profile'), distinct('tag'), distinct('security')]);
      for (const value of p) if (typeof value === 'string') profiles.add(value);
      for (const value of t as Coding[]) tags.set(codingKey(value), value);
      for (const value of s as Coding[]) security.set(codingKey(value), value);
    }),
  );
  const meta: Meta = {};
  if (profiles.size > 0) meta.profile = [...profiles].sort();
  if (tags.size > 0) meta.tag = [...tags.values()];
  if (security.size > 0) meta.security = [...security.values()];
  return meta;
}

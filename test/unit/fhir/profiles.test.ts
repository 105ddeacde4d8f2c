/** profiles/: our conformance resources are read at start, and a broken file stops the server. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../../src/fhir/definitions';
import { readProfiles } from '../../../src/fhir/definitions/profiles';
import { SearchRegistry } from '../../../src/fhir/search/registry';

const dirs: string[] = [];
function dirWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'profiles-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const sp = (id: string, url = `urn:sp:${id}`) => ({ resourceType: 'SearchParameter', id, url, code: id, base: ['Patient'], type: 'token', expression: 'Patient.identifier', status: 'active' });

describe('readProfiles', () => {
  it('sorts resources by kind, in file name order, ignoring other files', () => {
    const ours = readProfiles(dirWith({ 'b.json': sp('b'), 'a.json': sp('a'), 'notes.txt': 'x' }));
    expect(ours.searchParameters.map((r) => r.id)).toEqual(['a', 'b']);
    expect(ours.structureDefinitions).toEqual([]);
  });

  it('refuses broken JSON, other resource types, missing urls and duplicate urls', () => {
    expect(() => readProfiles(dirWith({ 'x.json': '{' }))).toThrow(/not valid JSON/);
    expect(() => readProfiles(dirWith({ 'x.json': { resourceType: 'Patient', id: 'p', url: 'urn:p' } }))).toThrow(/not Patient/);
    expect(() => readProfiles(dirWith({ 'x.json': { ...sp('x'), url: undefined } }))).toThrow(/needs an id and a url/);
    expect(() => readProfiles(dirWith({ 'x.json': sp('x', 'urn:same'), 'y.json': sp('y', 'urn:same') }))).toThrow(/another file/);
  });

  it('the repository profiles/ loads and every SearchParameter in it is usable', () => {
    const definitions = loadDefinitions();
    expect(definitions.profiles.searchParameters.map((p) => p.code)).toEqual(expect.arrayContaining(['mrn', 'license-number']));
    const registry = new SearchRegistry(definitions);
    for (const p of definitions.profiles.searchParameters) {
      for (const base of p.base ?? []) expect(registry.get(base, p.code!)?.supported, `${base}.${p.code}`).toBe(true);
      expect(registry.isCore(p.url!)).toBe(true);
    }
  });
});

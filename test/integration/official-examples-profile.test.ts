/**
 * Every instance example of the R4 specification (hl7.fhir.r4.examples@4.0.1) against its base
 * StructureDefinition (profile validation, bindings checked against the core terminology):
 * no errors, except for the examples listed below, which really are invalid.
 */
import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/fhir/definitions';
import { ProfileValidator } from '../../src/fhir/validation/profile';
import { createTerminology } from '../../src/terminology/terminology';
import { officialExamples } from '../helpers/official-examples';

/** The specification's own definition Bundles (thousands of conformance resources each): seconds apiece, left out. */
const DEFINITION_BUNDLES = new Set([
  'Bundle-dataelements.json', 'Bundle-resources.json', 'Bundle-extensions.json', 'Bundle-valueset-expansions.json',
  'Bundle-profiles-others.json', 'Bundle-valuesets.json', 'Bundle-types.json', 'Bundle-v2-valuesets.json',
  'Bundle-v3-valuesets.json', 'Bundle-conceptmaps.json', 'Bundle-searchParams.json',
]);

/** Examples with errors, and what is wrong with them. */
const INVALID_EXAMPLES: Readonly<Record<string, string>> = {
  'Questionnaire-qs1.json': 'nested items without linkId (Questionnaire.item.linkId is 1..1)',
  'Bundle-lri-example.json': "fullUrls end with Observation/lri-gramstain1… while the resources' ids are gramstain1…",
  'Bundle-10bb101f-a121-4264-a920-67be9cb82c74.json': 'fullUrl …/Patient/pat12 for the resource with id pat2',
  'Bundle-3a0707d3-549e-4467-b8b8-5a2ab3800efe.json': 'fullUrl …/Patient/pat12 for the resource with id pat2',
};

/**
 * Examples whose extensions have no published definition (not R4 core, not HL7's Extensions
 * Pack, not an example.org URL): $validate reports them by default, as the reference validator does.
 */
const UNRESOLVABLE_EXTENSIONS: Readonly<Record<string, string>> = {
  'Media-1.2.840.11361907579238403408700.3.1.04.19970327150033.json': 'http://nema.org/fhir/extensions#0002-0010',
  'Patient-dicom.json': 'http://nema.org/fhir/extensions#0010:1010 and three more DICOM tags',
  'Observation-example-genetics-brcapat.json': 'us-core-ethnicity (US Core, not loaded here)',
  'PlanDefinition-KDN5.json': 'http://hl7.org/fhir/StructureDefinition/usagecontext-group (in no published package)',
  'Questionnaire-qs1.json': 'http://hl7.org/fhir/StructureDefinition/questionnaire-allowedResource (in no published package)',
};

const loadExamples = () => officialExamples<Resource>({ keep: (file) => !DEFINITION_BUNDLES.has(file) });

describe('official R4 examples against their base profiles', () => {
  it('validate without errors except the documented invalid ones', { timeout: 120_000 }, async () => {
    const validator = new ProfileValidator(loadDefinitions());
    const terminology = createTerminology({ readCurrent: () => Promise.resolve([]) });
    const examples = loadExamples();
    expect(examples.length).toBeGreaterThan(700);
    const failing: Record<string, string[]> = {};
    for (const { file, resource } of examples) {
      const errors = (await validator.validate(resource, { terminology })).filter((i) => i.severity === 'error');
      if (errors.length > 0) failing[file] = errors.slice(0, 3).map((i) => `${i.expression?.[0]}: ${i.diagnostics}`);
    }
    expect(Object.keys(failing).sort()).toEqual(Object.keys(INVALID_EXAMPLES).sort());
  });

  it('report extensions without a published definition under the default $validate policy', { timeout: 120_000 }, async () => {
    const validator = new ProfileValidator(loadDefinitions());
    const flagged = new Set<string>();
    for (const { file, resource } of loadExamples()) {
      const issues = await validator.validate(resource, { extensionPolicy: { unknown: 'error', acceptedPrefixes: [] } });
      if (issues.some((i) => i.severity === 'error' && /could not be found/.test(i.diagnostics ?? ''))) flagged.add(file);
    }
    expect([...flagged].sort()).toEqual(Object.keys(UNRESOLVABLE_EXTENSIONS).sort());
  });
});

/**
 * Profile validation (issue 6, part 1): a resource against the snapshot of its base R4
 * StructureDefinition and, optionally, a profile (ours from `profiles/`, or any loaded one).
 * Each StructureDefinition is compiled once per validator and cached; one validator per loaded
 * definitions (see `profileValidatorFor`).
 */
import type { OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';
import type { FhirDefinitions } from '../../definitions';
import type { Terminology } from '../../../terminology/terminology';
import { hl7ExtensionDefinition } from '../../definitions/hl7-extensions';
import { checkBindings } from './bindings';
import { compileProfile } from './compile';
import { InvariantRunner } from './invariants';
import type { CompiledProfile } from './model';
import type { WalkContext } from './walk';
import { walkResource } from './walk';
import type { ExtensionPolicy } from './extension-policy';
import { extensionUrls } from './extension-policy';

export type ProfileDefinitions = Pick<FhirDefinitions, 'getStructureDefinition' | 'profiles'>;

export interface ProfileValidationOptions {
  /** Canonical URL of a profile to validate against as well as the base definition. */
  profile?: string;
  /** The profile's StructureDefinition when it is not a loaded one (e.g. stored on this server). */
  profileDefinition?: StructureDefinition;
  /** For binding checks; without it bindings are not checked. */
  terminology?: Terminology;
  /** Report extensions whose definition cannot be found ($validate); unset: they are not reported. */
  extensionPolicy?: ExtensionPolicy;
  /** Finds extension definitions that are not loaded (e.g. stored on this server). */
  resolveExtension?: (url: string) => Promise<StructureDefinition | undefined>;
}

export class ProfileValidator {
  private readonly compiled = new Map<string, CompiledProfile | null>();
  private readonly invariants = new InvariantRunner();
  private readonly ours: ReadonlyMap<string, StructureDefinition>;

  constructor(private readonly definitions: ProfileDefinitions) {
    this.ours = new Map(definitions.profiles.structureDefinitions.map((sd) => [sd.url!, sd]));
  }

  private definition(typeOrUrl: string): StructureDefinition | undefined {
    const bare = typeOrUrl.replace(/\|.*$/, '');
    return this.ours.get(bare) ?? this.definitions.getStructureDefinition(bare) ?? hl7ExtensionDefinition(bare);
  }

  /** The compiled StructureDefinition for a type name or canonical URL (cached). */
  compiledFor(typeOrUrl: string): CompiledProfile | undefined {
    let profile = this.compiled.get(typeOrUrl);
    if (profile === undefined) {
      const sd = this.definition(typeOrUrl);
      profile = sd?.snapshot?.element?.length ? compileProfile(sd) : null;
      this.compiled.set(typeOrUrl, profile);
    }
    return profile ?? undefined;
  }

  /** A StructureDefinition that is not among the loaded ones, compiled once per version. */
  compileDefinition(sd: StructureDefinition): CompiledProfile | undefined {
    const key = `stored ${sd.url} ${sd.id}/${sd.meta?.versionId ?? ''}`;
    let profile = this.compiled.get(key);
    if (profile === undefined) {
      profile = sd.snapshot?.element?.length ? compileProfile(sd) : null;
      this.compiled.set(key, profile);
    }
    return profile ?? undefined;
  }

  /** Whether a profile with this canonical URL is known (with a snapshot). */
  knows(url: string): boolean {
    return this.compiledFor(url) !== undefined;
  }

  /**
   * Issues of `resource` (already base-schema valid) against its type's definition, the profiles
   * it claims that the write path checks too (claimedProfiles), and `options.profile`.
   */
  async validate(resource: Resource, options: ProfileValidationOptions = {}): Promise<OperationOutcomeIssue[]> {
    const profiles = this.claimedProfiles(resource);
    let stored: CompiledProfile | undefined;
    if (options.profile) {
      const extra = options.profileDefinition ? (stored = this.compileDefinition(options.profileDefinition)) : this.compiledFor(options.profile);
      if (!extra) throw new Error(`Unknown profile ${options.profile}`);
      if (extra.type !== resource.resourceType) {
        return [{ severity: 'error', code: 'invalid', diagnostics: `Profile ${options.profile} constrains ${extra.type}, not ${resource.resourceType}`, expression: [resource.resourceType] }];
      }
      if (!profiles.includes(extra)) profiles.push(extra);
    }
    // Our and loaded profiles have snapshots generated from the base definition, so they hold
    // every base rule: walking the base as well would only repeat the work.
    const base = this.compiledFor(resource.resourceType);
    const coversBase = profiles.some((p) => p !== stored && p.derivedFromBase);
    if (base && !coversBase && !profiles.includes(base)) profiles.unshift(base);
    return this.run(resource, profiles, options.terminology, options.extensionPolicy, await this.resolveExtensions(resource, options));
  }

  /** Definitions of the resource's extensions that only `options.resolveExtension` knows, compiled. */
  private async resolveExtensions(resource: Resource, options: ProfileValidationOptions): Promise<Map<string, CompiledProfile>> {
    const found = new Map<string, CompiledProfile>();
    if (!options.resolveExtension) return found;
    for (const url of extensionUrls(resource)) {
      if (this.compiledFor(url)) continue;
      const sd = await options.resolveExtension(url);
      const compiled = sd?.type === 'Extension' ? this.compileDefinition(sd) : undefined;
      if (compiled) found.set(url, compiled);
    }
    return found;
  }

  /**
   * For the write path: the profiles named in `meta.profile` that this server knows (our own and
   * loaded ones, not the base definition, which the write path's base rules stand for). Unknown
   * profile URLs are ignored.
   */
  async validateAgainstProfiles(resource: Resource, terminology?: Terminology): Promise<OperationOutcomeIssue[]> {
    const profiles = this.claimedProfiles(resource);
    if (profiles.length === 0) return [];
    return this.run(resource, profiles, terminology);
  }

  /** The profiles of `meta.profile` this server knows for the type, except HL7's own definitions. */
  private claimedProfiles(resource: Resource): CompiledProfile[] {
    return (resource.meta?.profile ?? [])
      .map((url) => this.compiledFor(url))
      .filter((p): p is CompiledProfile => p !== undefined && p.type === resource.resourceType && !p.url.startsWith('http://hl7.org/fhir/StructureDefinition/'))
      .filter((p, i, all) => all.indexOf(p) === i);
  }

  private async run(
    resource: Resource,
    profiles: readonly CompiledProfile[],
    terminology: Terminology | undefined,
    extensionPolicy?: ExtensionPolicy,
    extensions: ReadonlyMap<string, CompiledProfile> = new Map(),
  ): Promise<OperationOutcomeIssue[]> {
    const ctx: WalkContext = {
      issues: [],
      bindings: [],
      profileFor: (type) => this.compiledFor(type) ?? extensions.get(type),
      ...(extensionPolicy ? { extensionPolicy } : {}),
      invariants: this.invariants,
      resource,
      depth: 0,
    };
    for (const profile of profiles) walkResource(ctx, profile, resource as unknown as Record<string, unknown>, resource.resourceType);
    const issues = dedupe(ctx.issues);
    if (terminology) issues.push(...dedupe(await checkBindings(ctx.bindings, terminology)));
    return issues;
  }
}

/** The same issue found through the base definition and a profile is reported once. */
function dedupe(issues: OperationOutcomeIssue[]): OperationOutcomeIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.severity}|${i.code}|${i.diagnostics}|${i.expression?.join(',')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const validators = new WeakMap<ProfileDefinitions, ProfileValidator>();

/** The one validator (and its compiled-profile cache) for a set of loaded definitions. */
export function profileValidatorFor(definitions: ProfileDefinitions): ProfileValidator {
  let validator = validators.get(definitions);
  if (!validator) validators.set(definitions, (validator = new ProfileValidator(definitions)));
  return validator;
}

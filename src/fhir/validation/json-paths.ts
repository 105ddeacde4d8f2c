/**
 * Where a walk over a resource's JSON is, as a stack of keys and array indexes: the FHIRPath-like
 * location (`Patient.name[0].given`) is only spelled out for the rare node that has an issue.
 */
export type JsonPath = Array<string | number>;

export function pathText(type: string, path: JsonPath): string {
  let text = type;
  for (const step of path) text += typeof step === 'number' ? `[${step}]` : `.${step}`;
  return text;
}

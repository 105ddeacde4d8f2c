/**
 * Plain-JavaScript versions of search expressions the fast compiler leaves to fhirpath.js, for
 * the ones written often: each is bound to its exact expression text and context, and gives the
 * same results as fhirpath.js (native-fallbacks.test.ts compares them).
 */
import type { NodeSink } from './compile-path';

type Evaluator = (context: unknown, resource: unknown, sink: NodeSink) => void;

function pushBoolean(sink: NodeSink, value: boolean): void {
  sink.values.push(value);
  sink.types.push('boolean');
}

/** Patient `deceased`: true when deceased[x] is true or a date (or only extended), false otherwise. */
function patientDeceased(context: unknown, _resource: unknown, sink: NodeSink): void {
  const patient = context as Record<string, unknown>;
  if (patient.deceasedBoolean !== undefined) return pushBoolean(sink, patient.deceasedBoolean !== false);
  pushBoolean(sink, patient.deceasedDateTime !== undefined || patient._deceasedBoolean !== undefined || patient._deceasedDateTime !== undefined);
}

const NATIVE: Record<string, Evaluator> = {
  'Patient|Patient.deceased.exists() and Patient.deceased != false': patientDeceased,
};

export function nativeFallback(expression: string, contextPath: string): Evaluator | undefined {
  return Object.hasOwn(NATIVE, `${contextPath}|${expression}`) ? NATIVE[`${contextPath}|${expression}`] : undefined;
}

import type { DrataClientType, DrataConnectionState, DrataProviderType } from '../__generated__/resolvers.js';
import { clientTypeValues, connectionStateValues, providerTypeValues } from '../__generated__/drata-enums.js';

type Known<T extends string> = Exclude<T, 'UNKNOWN'>;

// Typed so that the compiler proves the SDL's enums list every value of the OpenAPI document.
const clientTypes: readonly Known<DrataClientType>[] = clientTypeValues;
const connectionStates: readonly Known<DrataConnectionState>[] = connectionStateValues;
const providerTypes: readonly Known<DrataProviderType>[] = providerTypeValues;

const known: Readonly<Record<keyof EnumTypes, ReadonlySet<string>>> = {
  DrataClientType: new Set(clientTypes),
  DrataConnectionState: new Set(connectionStates),
  DrataProviderType: new Set(providerTypes),
};

interface EnumTypes {
  DrataClientType: DrataClientType;
  DrataConnectionState: DrataConnectionState;
  DrataProviderType: DrataProviderType;
}

/**
 * Drata's value as the schema's enum value: itself when the schema lists it, else `UNKNOWN`, after
 * `report` has noted it.
 */
export function toSchemaEnum<E extends keyof EnumTypes>(
  enumName: E,
  value: string,
  report: (enumName: string, value: string) => void,
): EnumTypes[E] {
  if (value !== 'UNKNOWN' && known[enumName].has(value)) return value as EnumTypes[E];
  report(enumName, value);
  return 'UNKNOWN';
}

const maxRemembered = 1000;

/**
 * Makes the reporter of unknown enum values: it logs each value once per gateway (a bounded memory
 * of values, never of callers or their data).
 */
export function createUnknownValueReporter(
  log: (details: { enumName: string; value: string }, message: string) => void,
): (enumName: string, value: string) => void {
  const seen = new Set<string>();
  return (enumName, value) => {
    const key = `${enumName}\u0000${value}`;
    if (seen.has(key) || seen.size >= maxRemembered) return;
    seen.add(key);
    log(
      { enumName, value: value.slice(0, 100) },
      `Drata sent a ${enumName} value the schema does not list; it is served as UNKNOWN`,
    );
  };
}

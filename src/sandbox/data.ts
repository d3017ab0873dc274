import { clientTypeValues, connectionStateValues, providerTypeValues } from '../__generated__/drata-enums.js';
import type { ConnectionDto } from '../upstream/types.js';

/** A sandbox connection: Drata's item plus the creation time Drata sorts by but does not send. */
export interface SandboxConnection {
  readonly item: ConnectionDto;
  readonly createdAt: string;
}

/** mulberry32: a small seeded generator, so the data set is the same on every machine. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const groupLabels = ['Everyone', 'Engineering', 'Contractors', 'Finance'] as const;
const start = Date.UTC(2023, 0, 2, 9, 0, 0);
const hour = 3_600_000;

/**
 * The sandbox's data set: `count` connections from a fixed seed. It covers every provider type and
 * state, many client types, and both null and present values of every nullable field (and items
 * without the optional `providerTypes` and `groupLabel`).
 */
export function createSandboxConnections(count = 160, seed = 20250701): SandboxConnection[] {
  const random = createRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const connections: SandboxConnection[] = [];
  for (let index = 0; index < count; index += 1) {
    const id = index + 1;
    const createdAt = start + index * 61 * hour + Math.floor(random() * 50) * hour;
    const state = connectionStateValues[index % connectionStateValues.length] as string;
    const connected = state === 'ACTIVE';
    const everConnected = state !== 'IN_PROGRESS' && random() < 0.9;
    const connectedAt = everConnected ? createdAt + Math.floor(random() * 200) * hour : null;
    const failed = state === 'MISCONFIGURED' || (state === 'ACTIVE' && random() < 0.2);
    const failedAt = failed ? createdAt + Math.floor(random() * 400) * hour : null;
    const alias = random() < 0.6 ? `${pick(['prod', 'corp', 'staging', 'eu', 'us'])}-${id}` : null;
    const typeCount = index % 9 === 0 ? 0 : 1 + Math.floor(random() * 3);
    const providerTypes = Array.from({ length: typeCount }, (_, offset) => ({
      value: providerTypeValues[(index + offset * 7) % providerTypeValues.length] as string,
      isEnabled: offset === 0 || random() < 0.5,
    }));
    const item: ConnectionDto = {
      id,
      clientType: clientTypeValues[(index * 37) % clientTypeValues.length] as string,
      state,
      connected,
      connectedAt: connectedAt === null ? null : new Date(connectedAt).toISOString(),
      failedAt: failedAt === null ? null : new Date(failedAt).toISOString(),
      clientId: random() < 0.8 ? `client-${(id * 7919).toString(36)}` : null,
      clientAlias: alias,
      aliasUpdatedAt:
        alias !== null && random() < 0.7
          ? new Date(createdAt + Math.floor(random() * 100) * hour).toISOString()
          : null,
      deletedAt: index % 23 === 5 ? new Date(createdAt + 900 * hour).toISOString() : null,
      code: state === 'MISCONFIGURED' ? pick([10010, 10020, 10030]) : null,
    };
    // The document makes `providerTypes` and `groupLabel` optional: some items leave them out.
    if (index % 11 !== 3) item.providerTypes = providerTypes;
    if (index % 5 !== 4) item.groupLabel = index % 5 === 2 ? null : pick(groupLabels);
    connections.push({ item, createdAt: new Date(createdAt).toISOString() });
  }
  return connections;
}

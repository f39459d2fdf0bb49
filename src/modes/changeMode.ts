import { REGISTRY } from '../collections/registry.js';
import type { Db } from '../db/client.js';
import { ForceWithoutReasonError, GateRefusedError, SkippedModeError, UnknownModeError } from './errors.js';
import { cutoverGates, gateRecord, redGates, type GateProvider, type GateRecord } from './gates/index.js';
import { assertNever, directionOf, isCollectionMode, nextMode, type CollectionMode } from './machine.js';
import { insertModeChange, lockMode, writeMode, type ModeChangeRecord } from './storage.js';

export interface ChangeModeInput {
  collection: string;
  /** Checked here too (not only by the CLI and the API), so a library caller cannot write a bad mode. */
  to: CollectionMode | string;
  /** Who asked: the OS user for the CLI, the credential's name for the API. */
  actor: string;
  reason?: string | null;
  /** Move forward over red gates; needs a reason. @defaultValue false */
  force?: boolean;
}

export interface ChangeModeOptions {
  /** Where the gates come from. @defaultValue cutoverGates(db) with the production policy (src/modes/gates/) */
  gates?: GateProvider;
}

/** The outcome of one collection's move. */
export interface ModeMove {
  collection: string;
  from: CollectionMode;
  to: CollectionMode;
  /** false when the collection was already in `to`: nothing was written or recorded. */
  changed: boolean;
  /** The audit row written with the change; null when nothing changed. */
  change: ModeChangeRecord | null;
}

/** Validates what does not depend on any state (throws the usage errors), before anything is locked. */
export function checkMoveRequest(input: Pick<ChangeModeInput, 'to' | 'reason' | 'force'>): {
  to: CollectionMode;
  reason: string | null;
} {
  if (!isCollectionMode(input.to)) throw new UnknownModeError(input.to);
  const reason = input.reason?.trim() || null;
  // Refused even when every gate is green: a forced move is an operator's decision the audit must explain.
  if (input.force && reason === null) throw new ForceWithoutReasonError();
  return { to: input.to, reason };
}

/**
 * Moves one collection to `to` in ONE transaction: lock its mode row, check the move against the
 * machine (src/modes/machine.ts) and, going forward, against the gates, write the new mode, and record
 * the change. Concurrent changes of one collection queue on the row lock, so each sees the mode the
 * previous one committed and the audit rows form an unbroken from → to chain.
 *
 * The caller publishes the change after this returns (src/modes/notify.ts): a message sent before the
 * commit could make a reader reload the old mode and keep it for a whole TTL.
 */
export async function changeMode(
  db: Db,
  input: ChangeModeInput,
  options: ChangeModeOptions = {},
): Promise<ModeMove> {
  const { collection } = input;
  REGISTRY.get(collection); // UnknownCollectionError
  const { to, reason } = checkMoveRequest(input);
  const provider = options.gates ?? cutoverGates(db);
  return db.transaction(async (tx) => {
    const from = await lockMode(tx, collection);
    const direction = directionOf(from, to);
    let gates: GateRecord | null;
    let forced = false;
    switch (direction) {
      case 'same':
        return { collection, from, to, changed: false, change: null };
      case 'back':
        // A rollback is never gated, so it is never held up by (or waiting for) a gate's evaluation.
        gates = null;
        break;
      case 'forward': {
        const next = nextMode(from);
        if (next !== to) throw new SkippedModeError(collection, from, to, next ?? to);
        const evaluated = await provider(collection, from, to);
        const red = redGates(evaluated);
        if (red.length > 0 && !input.force) throw new GateRefusedError(collection, from, to, red);
        forced = red.length > 0;
        gates = gateRecord(evaluated);
        break;
      }
      default:
        return assertNever(direction, 'direction');
    }
    await writeMode(tx, collection, to);
    const change = await insertModeChange(tx, {
      collection,
      from,
      to,
      actor: input.actor,
      reason,
      forced,
      gates,
    });
    return { collection, from, to, changed: true, change };
  });
}

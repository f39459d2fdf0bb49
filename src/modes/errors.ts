import { COLLECTION_MODES, type CollectionMode } from './machine.js';
import type { Gate } from './gates/index.js';

/** The root of every mode-change error; each carries what the CLI and the API need to name the cause. */
export abstract class ModeError extends Error {}

/** The request is malformed whatever the collection's state (CLI exit 2, HTTP 400). */
export abstract class ModeUsageError extends ModeError {}

/** The move is well-formed but the collection's current state refuses it (CLI exit 1, HTTP 409). */
export abstract class ModeRefusedError extends ModeError {
  constructor(
    readonly collection: string,
    readonly from: CollectionMode,
    readonly to: CollectionMode,
    message: string,
  ) {
    super(`${collection}: ${from} → ${to} refused: ${message}`);
  }
}

export class UnknownModeError extends ModeUsageError {
  override readonly name = 'UnknownModeError';
  constructor(readonly mode: string) {
    super(`unknown mode "${mode}" (choose from ${COLLECTION_MODES.join(', ')})`);
  }
}

/** `--force` skips red gates, so it must say why: the reason is what the audit trail is read for. */
export class ForceWithoutReasonError extends ModeUsageError {
  override readonly name = 'ForceWithoutReasonError';
  constructor() {
    super('--force needs a --reason (it is kept in the audit trail)');
  }
}

/** A forward move with at least one red gate, not forced. `gates` holds the red ones. */
export class GateRefusedError extends ModeRefusedError {
  override readonly name = 'GateRefusedError';
  constructor(
    collection: string,
    from: CollectionMode,
    to: CollectionMode,
    readonly gates: readonly Gate[],
  ) {
    super(
      collection,
      from,
      to,
      gates.map((gate) => `gate "${gate.name}" is red (value: ${JSON.stringify(gate.value)})`).join(', '),
    );
  }
}

/** A forward move that jumps over a mode: each step has its own gates and soak, so none is skipped. */
export class SkippedModeError extends ModeRefusedError {
  override readonly name = 'SkippedModeError';
  constructor(
    collection: string,
    from: CollectionMode,
    to: CollectionMode,
    readonly next: CollectionMode,
  ) {
    super(collection, from, to, `forward moves go one step at a time (next is ${next})`);
  }
}

/** An error as the CLI's --json and the API's 409 show it: its kind, the move, and the red gates. */
export interface ModeErrorBody {
  kind: string;
  error: string;
  collection?: string;
  from?: CollectionMode;
  to?: CollectionMode;
  gates?: readonly Gate[];
}

export function modeErrorBody(error: Error): ModeErrorBody {
  const body: ModeErrorBody = { kind: error.name, error: error.message };
  if (error instanceof ModeRefusedError) {
    Object.assign(body, { collection: error.collection, from: error.from, to: error.to });
  }
  if (error instanceof GateRefusedError) body.gates = error.gates;
  return body;
}

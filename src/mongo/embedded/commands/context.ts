import type { Doc } from '../bson-types.js';
import { isNumeric } from '../bson-types.js';
import type { CursorRegistry } from '../cursors.js';
import { badValue, CommandError } from '../errors.js';
import { toDouble } from '../numeric.js';
import type { Store } from '../store.js';

/** What a command handler gets: the server's state, the target database, and the message's sequences. */
export interface CommandContext {
  readonly store: Store;
  readonly cursors: CursorRegistry;
  readonly db: string;
  /** OP_MSG kind-1 sections (e.g. insert 'documents'), raw. */
  readonly sequences: ReadonlyMap<string, Buffer[]>;
  readonly connectionId: number;
}

/** A reply document, or pre-encoded BSON (cursor replies that splice stored bytes). */
export type CommandResult = Doc | Buffer;
export type CommandHandler = (cmd: Doc, ctx: CommandContext) => CommandResult;

export function collectionArg(cmd: Doc, name: string): string {
  const v = cmd[name];
  if (typeof v !== 'string' || v === '') {
    throw new CommandError(
      'InvalidNamespace',
      `collection name has invalid type ${v === undefined ? 'missing' : typeof v}`,
    );
  }
  return v;
}

export function numberArg(cmd: Doc, name: string): number | undefined {
  const v = cmd[name];
  if (v === undefined || v === null) return undefined;
  if (!isNumeric(v)) throw badValue(`Field '${name}' should be a number`);
  return toDouble(v);
}

export function boolArg(cmd: Doc, name: string, fallback: boolean): boolean {
  const v = cmd[name];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  if (isNumeric(v)) return toDouble(v) !== 0;
  throw badValue(`Field '${name}' should be a boolean`);
}

import type { Doc } from '../bson-types.js';
import { CommandError } from '../errors.js';
import { adminCommands } from './admin.js';
import { aggregate } from './aggregate.js';
import { collStats, create, dbStats, drop, dropDatabase, listCollections } from './collections.js';
import type { CommandContext, CommandHandler, CommandResult } from './context.js';
import { count, distinct } from './count-distinct.js';
import { find, getMore, killCursors } from './find.js';
import { findAndModify } from './find-and-modify.js';
import { createIndexes, dropIndexes, listIndexes } from './indexes.js';
import { insert } from './insert.js';
import { checkCommandFields } from './options.js';
import { remove, update } from './update.js';

/** Command name → handler. The command is the first field of the body, as in MongoDB. */
const handlers = new Map<string, CommandHandler>(
  Object.entries({
    ...adminCommands,
    insert,
    find,
    getMore,
    killCursors,
    update,
    delete: remove,
    findAndModify,
    findandmodify: findAndModify,
    count,
    distinct,
    aggregate,
    createIndexes,
    listIndexes,
    dropIndexes,
    deleteIndexes: dropIndexes,
    listCollections,
    create,
    drop,
    dropDatabase,
    collStats,
    dbStats,
  }),
);

/** What a standalone mongod says to anything transactional (the driver only sends these when asked to). */
function rejectTransactions(body: Doc, name: string): void {
  const transactional =
    body.txnNumber !== undefined ||
    body.autocommit !== undefined ||
    body.startTransaction !== undefined ||
    name === 'commitTransaction' ||
    name === 'abortTransaction';
  if (transactional) {
    throw new CommandError(
      'IllegalOperation',
      'Transaction numbers are only allowed on a replica set member or mongos',
    );
  }
}

export function runCommand(body: Doc, ctx: CommandContext): CommandResult {
  const name = Object.keys(body)[0];
  if (name === undefined) throw new CommandError('CommandNotFound', "no such command: ''");
  rejectTransactions(body, name);
  const handler = handlers.get(name);
  if (!handler) throw new CommandError('CommandNotFound', `no such command: '${name}'`);
  checkCommandFields(name, body);
  return handler(body, ctx);
}

import { isPlainObject, type Doc } from '../bson-types.js';
import { badValue } from '../errors.js';
import { encode } from '../raw-bson.js';
import { boolArg, collectionArg, type CommandHandler } from './context.js';
import { writeError, writeReply } from './write-errors.js';

/** insert: documents arrive as a kind-1 sequence (kept as the client's bytes) or inline in the body. */
export const insert: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'insert');
  const ordered = boolArg(cmd, 'ordered', true);
  let docs: Buffer[] | undefined = ctx.sequences.get('documents');
  if (!docs) {
    if (!Array.isArray(cmd.documents))
      throw badValue("BSON field 'insert.documents' is missing but a required field");
    docs = cmd.documents.map((d) => {
      if (!isPlainObject(d)) throw badValue('documents must be objects');
      return encode(d as Doc);
    });
  }
  const coll = ctx.store.getOrCreate(ctx.db, name);
  const writeErrors: Doc[] = [];
  let n = 0;
  for (let i = 0; i < docs.length; i++) {
    try {
      coll.insertBytes(docs[i] as Buffer);
      n++;
    } catch (err) {
      writeErrors.push(writeError(i, err));
      if (ordered) break;
    }
  }
  return writeReply(n, writeErrors);
};

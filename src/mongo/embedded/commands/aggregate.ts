import { isPlainObject } from '../bson-types.js';
import { badValue, notSupported } from '../errors.js';
import { runPipeline } from '../pipeline.js';
import { encode } from '../raw-bson.js';
import { cursorReply } from '../reply.js';
import { numberArg, type CommandHandler } from './context.js';

/** aggregate: always answers with a cursor (the `cursor` option is required, as in MongoDB ≥ 3.6). */
export const aggregate: CommandHandler = (cmd, ctx) => {
  const target = cmd.aggregate;
  if (typeof target !== 'string') throw notSupported('database-level aggregation (aggregate: 1)');
  if (!Array.isArray(cmd.pipeline)) throw badValue("'pipeline' option must be specified as an array");
  if (!isPlainObject(cmd.cursor))
    throw badValue("The 'cursor' option is required, except for aggregate with the explain argument");
  if (cmd.explain === true) throw notSupported('explain');
  const last = cmd.pipeline[cmd.pipeline.length - 1];
  if (isPlainObject(last) && ('$out' in last || '$merge' in last)) throw notSupported('$out / $merge');
  const docs = runPipeline(ctx.store.get(ctx.db, target), cmd.pipeline, (name) =>
    ctx.store.get(ctx.db, name),
  );
  const ns = `${ctx.db}.${target}`;
  const first = ctx.cursors.open(
    ns,
    docs.map((d) => encode(d)),
    numberArg(cmd.cursor, 'batchSize'),
    false,
  );
  return cursorReply('firstBatch', first.id, ns, first.docs);
};

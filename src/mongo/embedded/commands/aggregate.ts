import { isPlainObject } from '../bson-types.js';
import { badValue, notSupported } from '../errors.js';
import { resolveHint } from '../hint.js';
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
  for (const stage of cmd.pipeline) {
    if (isPlainObject(stage) && (Object.hasOwn(stage, '$out') || Object.hasOwn(stage, '$merge')))
      throw notSupported('aggregation stages $out / $merge');
  }
  const coll = ctx.store.get(ctx.db, target);
  const docs = runPipeline(
    coll,
    cmd.pipeline,
    (name) => ctx.store.get(ctx.db, name),
    resolveHint(coll, cmd.hint),
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

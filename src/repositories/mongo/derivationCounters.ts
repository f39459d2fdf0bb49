import { Types } from 'mongoose';
import type { Id } from '../domain/common.js';
import type { DestinationChain } from '../domain/derivedDestinations.js';
import { noteWrite } from '../seam/writeLog.js';
import type { MongoContext } from './context.js';
import { brokeUniqueIndex } from './duplicateKey.js';

/**
 * The per-(buyer, chain) derivation counters (plan §4.5) on the MongoDB side: one document per pair,
 * `{ _id: "<buyerHex>:<chain>", nextIndex }`, taken from with `$inc`, which is atomic on a single
 * document, so concurrent allocations never see the same index.
 *
 * Not one of the migrated collections: nothing in the legacy schema holds the counter, and Postgres
 * seeds its own (derivation_counters) from the migrated destinations (deriveddestinations/finalize.ts).
 * Its writes are still noted: the seam follows only registered collections, and a complete write log
 * is what the tests check.
 */
export const DERIVATION_COUNTERS = 'derivationcounters';

interface CounterDocument {
  _id: string;
  buyerId: Types.ObjectId;
  chain: DestinationChain;
  nextIndex: number;
}

/** The next unused derivation index of (buyer, chain). */
export async function nextDerivationIndex(
  ctx: MongoContext,
  buyerId: Id,
  chain: DestinationChain,
): Promise<number> {
  const counters = ctx.connection.collection<CounterDocument>(DERIVATION_COUNTERS);
  const _id = `${buyerId.toLowerCase()}:${chain}`;
  // Never below what destinations already use: the counter may be new (destinations written before it,
  // or by the legacy app's own allocator), and `$max` only ever raises it, so this is safe to race.
  const highest = await ctx.models.DerivedDestination.findOne({ buyerId, chain }, { derivationIndex: 1 })
    .sort({ derivationIndex: -1 })
    .lean();
  const floor = (highest?.derivationIndex ?? -1) + 1;
  noteWrite(DERIVATION_COUNTERS, _id);
  const raise = () =>
    counters.updateOne(
      { _id },
      { $max: { nextIndex: floor }, $setOnInsert: { buyerId: new Types.ObjectId(buyerId), chain } },
      { upsert: true },
    );
  try {
    await raise();
  } catch (error) {
    // Two first allocations upserted the same counter at once; the other one created it.
    if (!brokeUniqueIndex(error)) throw error;
    await raise();
  }
  const taken = await counters.findOneAndUpdate(
    { _id },
    { $inc: { nextIndex: 1 } },
    { returnDocument: 'before' },
  );
  if (!taken) throw new Error(`${DERIVATION_COUNTERS} ${_id} vanished while allocating`);
  return taken.nextIndex;
}

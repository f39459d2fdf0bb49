import type { Model, QueryFilter, UpdateQuery } from 'mongoose';
import { noteWrite } from '../seam/writeLog.js';
import { duplicateKeyFields } from './duplicateKey.js';

/** Attempts before giving up on a key whose document keeps appearing and vanishing under us. */
const ATTEMPTS = 3;

/**
 * The one document a unique `key` names, updated with `fields`, or created with `key` and `fields`
 * when there is none; returns it lean, as it is after the write. A MongoDB upsert cannot be noted
 * before it writes (its `_id` is unknown, and a racing insert may win the key), so: the document is
 * found first, noted, then written by `_id`; or a new one is built (its `_id` known), noted and
 * inserted, and a duplicate key (a concurrent creator won) goes round again to update the winner.
 */
export async function upsertByKey<T>(
  model: Model<T>,
  collection: string,
  key: Record<string, unknown>,
  fields: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  // A field left undefined keeps its value (`$set` of undefined would be cast to a removal or refused).
  const set = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  for (let attempt = 1; ; attempt += 1) {
    const existing = await model.findOne(key, { _id: 1 }).lean<{ _id: unknown }>();
    if (existing) {
      noteWrite(collection, existing._id);
      // Still by key too: the document is changed only while it is the one the key names.
      const byId = { ...key, _id: existing._id } as QueryFilter<T>;
      const updated = await model
        .findOneAndUpdate(byId, { $set: set } as UpdateQuery<T>, { returnDocument: 'after' })
        .lean<Record<string, unknown>>();
      if (updated) return updated;
    } else {
      const document = new model({ ...set, ...key });
      noteWrite(collection, document._id);
      try {
        await document.save();
        return document.toObject() as Record<string, unknown>;
      } catch (error) {
        if (!duplicateKeyFields(error)) throw error;
      }
    }
    if (attempt >= ATTEMPTS)
      throw new Error(`${collection} ${JSON.stringify(key)}: no stable document after ${ATTEMPTS} attempts`);
  }
}

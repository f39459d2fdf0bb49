import type { Connection } from 'mongoose';
import { registerModels } from '../../mongo/models/index.js';

/** What every Mongo repository holds: the application's Mongoose connection and the legacy models on it. */
export interface MongoContext {
  connection: Connection;
  models: ReturnType<typeof registerModels>;
}

export function mongoContext(connection: Connection): MongoContext {
  return { connection, models: registerModels(connection) };
}

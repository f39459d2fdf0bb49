import { pgTable, uniqueIndex } from 'drizzle-orm/pg-core';
import { legacyColumns } from './columns.js';

// Placeholder: the full table is being written (issue 4); other tables may already reference its id.
export const payments = pgTable('payments', { ...legacyColumns() }, (t) => [
  uniqueIndex('payments_legacy_object_id_uq').on(t.legacyObjectId),
]);

import { pgTable, uniqueIndex } from 'drizzle-orm/pg-core';
import { legacyColumns } from './columns.js';

// Placeholder: the full table is being written (issue 4); other tables may already reference its id.
export const purchaseRequests = pgTable('purchase_requests', { ...legacyColumns() }, (t) => [
  uniqueIndex('purchase_requests_legacy_object_id_uq').on(t.legacyObjectId),
]);

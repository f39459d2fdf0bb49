import { doublePrecision, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Reports of `strangler audit`, kept so a team can compare the data before and after cleaning it. */
export const auditReports = pgTable('audit_reports', {
  id: uuid('id').primaryKey().defaultRandom(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  collections: text('collections').array().notNull(),
  seconds: doublePrecision('seconds').notNull(),
  report: jsonb('report').notNull(),
});

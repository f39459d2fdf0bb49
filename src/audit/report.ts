/** What `strangler audit` reports, per collection and per field (the plan's pre-migration audit). */
export interface CollectionAudit {
  collection: string;
  documents: number;
  /** Documents the backfill would migrate (possibly with anomalies). */
  migrate: number;
  /** Predicted rejects by reason code. */
  reject: Record<string, number>;
  /** Predicted anomalies by code, on migrated documents. */
  anomalies: Record<string, number>;
  /** Per reference or money field: how many values of each shape (docs/data-policy.md vocabulary). */
  fields: Record<string, Record<string, number>>;
}

export interface AuditReport {
  id: string;
  createdAt: string;
  seconds: number;
  collections: CollectionAudit[];
}

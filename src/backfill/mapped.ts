import type { LegacyId } from '../db/ids.js';
import type { LegacyDoc, MappedDocument } from '../collections/spec.js';

/** A document of a chunk that mapped: its legacy id, the document as read, and its rows. */
export interface Mapped {
  legacyId: LegacyId;
  doc: LegacyDoc;
  result: MappedDocument;
}

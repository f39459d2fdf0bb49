import { disputeEvidenceType, type disputeEvidence, type disputeTimeline } from '../../db/schema/disputes.js';
import {
  describeValue,
  elementExtra,
  FieldReject,
  isPlainObject,
  optionalDate,
  optionalString,
  type ChildRow,
  type MapBuilder,
} from '../mapping/index.js';
import { optionalEnum } from '../mapping/index.js';
import { EVIDENCE_SHAPE, TIMELINE_SHAPE } from './shape.js';

type EvidenceRow = ChildRow<typeof disputeEvidence, 'disputeId'>;
type TimelineRow = ChildRow<typeof disputeTimeline, 'disputeId'>;

/** The sub-document elements of an array field, each with its source index; a non-object rejects. */
function subdocElements(b: MapBuilder, value: unknown, field: string) {
  return (b.array(value, field) ?? []).flatMap(({ ordinal, value: element }) => {
    const at = `${field}.${ordinal}`;
    if (isPlainObject(element)) return [{ ordinal, at, element }];
    b.read(
      new FieldReject('invalid_type', at, `${at} is ${describeValue(element)}, expected a sub-document`),
    );
    return [];
  });
}

/**
 * `evidence[]` → dispute_evidence. Every element is kept (uploads, not a junction of ids, so a repeat is
 * two uploads); an uploader that is gone leaves `uploaded_by_id` NULL + `dangling_reference`.
 */
export function mapEvidence(b: MapBuilder, value: unknown): EvidenceRow[] {
  return subdocElements(b, value, 'evidence').map(({ ordinal, at, element: e }) => ({
    ordinal,
    uploadedById: b.optionalRef(e.uploadedBy, { field: `${at}.uploadedBy`, parent: 'users' }),
    type: b.read(optionalEnum(e.type, `${at}.type`, disputeEvidenceType.enumValues)),
    url: b.read(optionalString(e.url, `${at}.url`)),
    description: b.read(optionalString(e.description, `${at}.description`)),
    createdAt: b.read(optionalDate(e.createdAt, `${at}.createdAt`)),
    legacyExtra: b.read(elementExtra(e, EVIDENCE_SHAPE, at)),
  }));
}

/**
 * `timeline[]` → dispute_timeline, in source order. A null `actor` is the system (the pre-save hook's
 * entries); an actor that is gone is also NULL, but recorded as `dangling_reference`.
 */
export function mapTimeline(b: MapBuilder, value: unknown): TimelineRow[] {
  return subdocElements(b, value, 'timeline').map(({ ordinal, at, element: t }) => ({
    ordinal,
    at: b.read(optionalDate(t.at, `${at}.at`)),
    actorId: b.optionalRef(t.actor, { field: `${at}.actor`, parent: 'users' }),
    action: b.read(optionalString(t.action, `${at}.action`)),
    fromStatus: b.read(optionalString(t.fromStatus, `${at}.fromStatus`)),
    toStatus: b.read(optionalString(t.toStatus, `${at}.toStatus`)),
    note: b.read(optionalString(t.note, `${at}.note`)),
    legacyExtra: b.read(elementExtra(t, TIMELINE_SHAPE, at)),
  }));
}

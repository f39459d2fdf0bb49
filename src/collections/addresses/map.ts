import type { addresses } from '../../db/schema/index.js';
import { boolWithDefault, MapBuilder, optionalString, type MainRow, type Shape } from '../mapping/index.js';
import type { LegacyDoc, MapContext, MapResult } from '../spec.js';

const ADDRESS_SHAPE: Shape = {
  userId: true,
  label: true,
  fullName: true,
  phone: true,
  line1: true,
  line2: true,
  city: true,
  region: true,
  postalCode: true,
  country: true,
  primary: true,
};

/**
 * An addresses document → addresses row. `country` is copied as found even when it is not two letters:
 * the source never validated it, and the policy copies strings byte for byte. A second primary address
 * of one user maps as primary here; the write path keeps the oldest one primary and demotes the others
 * with a `demoted_flag` anomaly (spec.uniqueFlags, docs/data-policy.md).
 */
export function mapAddress(doc: LegacyDoc, ctx: MapContext): MapResult {
  const b = new MapBuilder(ctx);
  const row: MainRow<typeof addresses> = {
    ...b.commonColumns(doc, ADDRESS_SHAPE),
    userId: b.requiredRef(doc.userId, { field: 'userId', parent: 'users' }),
    label: b.read(optionalString(doc.label, 'label')),
    fullName: b.read(optionalString(doc.fullName, 'fullName')),
    phone: b.read(optionalString(doc.phone, 'phone')),
    line1: b.read(optionalString(doc.line1, 'line1')),
    line2: b.read(optionalString(doc.line2, 'line2')),
    city: b.read(optionalString(doc.city, 'city')),
    region: b.read(optionalString(doc.region, 'region')),
    postalCode: b.read(optionalString(doc.postalCode, 'postalCode')),
    country: b.read(optionalString(doc.country, 'country')),
    primary: b.read(boolWithDefault(doc.primary, 'primary', false)),
  };
  return b.finish(row);
}

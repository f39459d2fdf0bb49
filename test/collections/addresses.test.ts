import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { addressesSpec } from '../../src/collections/addresses/spec.js';
import { isReject, type LegacyDoc, type MappedDocument } from '../../src/collections/spec.js';
import { FakeContext, oid, T0, T1 } from './fakeContext.js';

const ctx = new FakeContext();
const owner = oid(1);
const ownerUuid = ctx.add('users', owner);
const map = (doc: LegacyDoc) => addressesSpec.map(doc, ctx);
const mapped = (doc: LegacyDoc): MappedDocument => {
  const result = map(doc);
  if (isReject(result)) throw new Error(`unexpected reject: ${result.message}`);
  return result;
};

const clean = (): LegacyDoc => ({
  _id: oid(100),
  userId: owner,
  label: 'Home',
  fullName: 'Ana Lima',
  phone: '+55 11 9999999',
  line1: '12 Rua Augusta',
  line2: 'Apt 3',
  city: 'São Paulo',
  region: 'SP',
  postalCode: '01305-000',
  country: 'BR',
  primary: true,
  createdAt: T0,
  updatedAt: T1,
});

describe('addresses mapper', () => {
  it('maps a clean document to its row with the owner uuid', () => {
    expect(mapped(clean())).toEqual({
      row: {
        legacyExtra: null,
        createdAt: T0,
        updatedAt: T1,
        userId: ownerUuid,
        label: 'Home',
        fullName: 'Ana Lima',
        phone: '+55 11 9999999',
        line1: '12 Rua Augusta',
        line2: 'Apt 3',
        city: 'São Paulo',
        region: 'SP',
        postalCode: '01305-000',
        country: 'BR',
        primary: true,
      },
    });
  });

  it('primary absent → the model default false; null → missing_field; wrong type → invalid_type', () => {
    const { primary: _, ...withoutPrimary } = clean();
    expect(mapped(withoutPrimary as LegacyDoc).row.primary).toBe(false);
    expect(map({ ...clean(), primary: null })).toMatchObject({ reject: 'missing_field', field: 'primary' });
    expect(map({ ...clean(), primary: 'yes' })).toMatchObject({ reject: 'invalid_type', field: 'primary' });
  });

  it('userId as a 24-hex string is the ObjectId it spells', () => {
    expect(mapped({ ...clean(), userId: owner.toHexString() }).row.userId).toBe(ownerUuid);
  });

  it('userId of a hard-deleted user → orphan_reference', () => {
    const gone = new ObjectId();
    expect(map({ ...clean(), userId: gone })).toEqual({
      reject: 'orphan_reference',
      field: 'userId',
      message: `userId ${gone.toHexString()} has no users row (hard-deleted parent?)`,
    });
  });

  it('userId absent or null → missing_field; not an id → invalid_reference', () => {
    const { userId: _, ...withoutUser } = clean();
    expect(map(withoutUser as LegacyDoc)).toMatchObject({ reject: 'missing_field', field: 'userId' });
    expect(map({ ...clean(), userId: null })).toMatchObject({ reject: 'missing_field', field: 'userId' });
    expect(map({ ...clean(), userId: 'tmpl_home' })).toMatchObject({
      reject: 'invalid_reference',
      field: 'userId',
    });
    expect(map({ ...clean(), userId: { id: 1 } })).toMatchObject({
      reject: 'invalid_reference',
      field: 'userId',
    });
  });

  it('missing timestamps are NULL, undeclared fields go to legacy_extra', () => {
    const { createdAt: _c, updatedAt: _u, ...old } = clean();
    const row = mapped({ ...old, legacyFlag: false, oldScore: 3 } as LegacyDoc).row;
    expect(row).toMatchObject({ createdAt: null, updatedAt: null });
    expect(row.legacyExtra).toEqual({ legacyFlag: false, oldScore: { $numberInt: '3' } });
  });

  it('copies unicode and a non-ISO country as found (the source never validated it)', () => {
    const row = mapped({ ...clean(), label: '🏠 Casa', fullName: 'محمد علي', country: 'Brasil' }).row;
    expect(row).toMatchObject({ label: '🏠 Casa', fullName: 'محمد علي', country: 'Brasil' });
  });

  it('wrong types reject', () => {
    expect(map({ ...clean(), postalCode: 1305 })).toMatchObject({
      reject: 'invalid_type',
      field: 'postalCode',
    });
    expect(map({ ...clean(), createdAt: 'yesterday' })).toMatchObject({
      reject: 'invalid_type',
      field: 'createdAt',
    });
  });
});

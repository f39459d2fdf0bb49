import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { configSettingHistoriesSpec } from '../../src/collections/configsettinghistories/spec.js';
import { isReject, type LegacyDoc, type MappedDocument } from '../../src/collections/spec.js';
import { FakeContext, oid, T0 } from './fakeContext.js';

const ctx = new FakeContext();
const admin = oid(1);
const adminUuid = ctx.add('users', admin);
const newSetting = oid(30);
const newSettingUuid = ctx.add('configsettings', newSetting);
const oldSettingUuid = ctx.add('configsettings', 'fees.bps'); // a pre-2024 setting: string _id
const map = (doc: LegacyDoc) => configSettingHistoriesSpec.map(doc, ctx);
const mapped = (doc: LegacyDoc): MappedDocument => {
  const result = map(doc);
  if (isReject(result)) throw new Error(`unexpected reject: ${result.message}`);
  return result;
};

const clean = (): LegacyDoc => ({
  _id: oid(40),
  settingId: newSetting,
  key: 'payments.mode',
  oldValue: 'manual',
  newValue: { mode: 'auto', retries: 3 },
  changedBy: admin,
  changedAt: T0,
  createdAt: T0,
});

describe('configsettinghistories mapper', () => {
  it('maps a clean document (no updatedAt: the collection never had one)', () => {
    expect(mapped(clean())).toEqual({
      row: {
        legacyExtra: null,
        createdAt: T0,
        updatedAt: null,
        settingId: newSettingUuid,
        key: 'payments.mode',
        oldValue: 'manual',
        newValue: { mode: 'auto', retries: 3 },
        changedById: adminUuid,
        changedAt: T0,
      },
    });
  });

  it('settingId as the key string of a string-_id setting is a valid legacy id', () => {
    expect(mapped({ ...clean(), settingId: 'fees.bps' }).row.settingId).toBe(oldSettingUuid);
    expect(mapped({ ...clean(), settingId: newSetting.toHexString() }).row.settingId).toBe(newSettingUuid);
  });

  it('settingId of a setting that is gone → orphan_reference (string keys included)', () => {
    expect(map({ ...clean(), settingId: new ObjectId() })).toMatchObject({
      reject: 'orphan_reference',
      field: 'settingId',
    });
    expect(map({ ...clean(), settingId: 'fees.removed' })).toEqual({
      reject: 'orphan_reference',
      field: 'settingId',
      message: 'settingId fees.removed has no configsettings row (hard-deleted parent?)',
    });
  });

  it('settingId absent → missing_field; of another type → invalid_reference', () => {
    expect(map({ ...clean(), settingId: null })).toMatchObject({
      reject: 'missing_field',
      field: 'settingId',
    });
    expect(map({ ...clean(), settingId: 12 })).toMatchObject({
      reject: 'invalid_reference',
      field: 'settingId',
    });
    expect(map({ ...clean(), settingId: '' })).toMatchObject({
      reject: 'invalid_reference',
      field: 'settingId',
    });
  });

  it('changedBy of a hard-deleted admin → NULL + dangling_reference', () => {
    const result = mapped({ ...clean(), changedBy: new ObjectId() });
    expect(result.row.changedById).toBeNull();
    expect(result.anomalies?.map((a) => a.code)).toEqual(['dangling_reference']);
    expect(map({ ...clean(), changedBy: 'system' })).toMatchObject({
      reject: 'invalid_reference',
      field: 'changedBy',
    });
  });

  it('missing createdAt, unknown fields, null values', () => {
    const { createdAt: _, ...old } = clean();
    const row = mapped({ ...old, oldValue: null, legacyFlag: true } as LegacyDoc).row;
    expect(row).toMatchObject({ createdAt: null, oldValue: null, legacyExtra: { legacyFlag: true } });
    expect(map({ ...clean(), changedAt: 1_700_000_000 })).toMatchObject({
      reject: 'invalid_type',
      field: 'changedAt',
    });
  });
});

import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { isReject, type LegacyDoc, type MappedDocument } from '../../src/collections/spec.js';
import { trezorAccountsSpec } from '../../src/collections/trezoraccounts/spec.js';
import { FakeContext, oid, T0, T1 } from './fakeContext.js';

const ctx = new FakeContext();
const destination = ctx.add('deriveddestinations', oid(300));
const map = (doc: LegacyDoc) => trezorAccountsSpec.map(doc, ctx);
const mapped = (doc: LegacyDoc): MappedDocument => {
  const result = map(doc);
  if (isReject(result)) throw new Error(`unexpected reject: ${result.message}`);
  return result;
};

const address = { _id: oid(950), index: 0, address: 'TXa0', destinationId: oid(300), createdAt: T0 };

const clean = (): LegacyDoc => ({
  _id: oid(400),
  label: 'Treasury TRON',
  chain: 'tron',
  xpub: 'xpub6CUGRUonZSQ4TWtTMmzXdrXDtypWKiKrhko4egpiMZbpiaQL2jkwSB1icqYh2cfDfVxdx4df189oLKnC5fSwqPfgyP3hooxujYzAu3fDVmz',
  derivationPath: "m/44'/195'/0'",
  nextIndex: 2,
  addresses: [address, { _id: oid(951), index: 1, address: 'TXa1', createdAt: T1 }],
  createdAt: T0,
  updatedAt: T1,
});

describe('trezoraccounts mapper', () => {
  it('maps a clean document with its addresses', () => {
    expect(mapped(clean())).toEqual({
      row: {
        legacyExtra: null,
        createdAt: T0,
        updatedAt: T1,
        label: 'Treasury TRON',
        chain: 'tron',
        xpub: clean().xpub,
        derivationPath: "m/44'/195'/0'",
        nextIndex: 2,
      },
      children: {
        trezor_account_addresses: [
          {
            ordinal: 0,
            index: 0,
            address: 'TXa0',
            destinationId: destination,
            createdAt: T0,
            legacyExtra: { _id: { $oid: oid(950).toHexString() } },
          },
          {
            ordinal: 1,
            index: 1,
            address: 'TXa1',
            destinationId: null,
            createdAt: T1,
            legacyExtra: { _id: { $oid: oid(951).toHexString() } },
          },
        ],
      },
    });
  });

  it('declares the destination reference inside the array', () => {
    expect(trezorAccountsSpec.references).toEqual([
      { path: 'addresses.destinationId', parent: 'deriveddestinations' },
    ]);
    expect(Object.keys(trezorAccountsSpec.children ?? {})).toEqual(['trezor_account_addresses']);
  });

  it('a destination that is gone: FK NULL + dangling_reference, the address kept', () => {
    const gone = new ObjectId();
    const result = mapped({ ...clean(), addresses: [{ ...address, destinationId: gone.toHexString() }] });
    expect(result.children?.trezor_account_addresses?.[0]).toMatchObject({
      address: 'TXa0',
      destinationId: null,
    });
    expect(result.anomalies).toEqual([
      expect.objectContaining({ code: 'dangling_reference', field: 'addresses.0.destinationId' }),
    ]);
  });

  it('destinationId is a typed reference: a non-id string rejects invalid_reference', () => {
    expect(map({ ...clean(), addresses: [{ ...address, destinationId: 'tmpl_x' }] })).toMatchObject({
      reject: 'invalid_reference',
      field: 'addresses.0.destinationId',
    });
  });

  it('arrays: null elements, empty arrays, non-object elements', () => {
    const result = mapped({ ...clean(), addresses: [null, address] });
    expect(result.children?.trezor_account_addresses?.map((a) => a.ordinal)).toEqual([1]);
    expect(result.anomalies?.map((a) => a.code)).toEqual(['null_array_element']);
    expect(mapped({ ...clean(), addresses: undefined }).children).toEqual({ trezor_account_addresses: [] });
    expect(map({ ...clean(), addresses: ['TXa0'] })).toMatchObject({
      reject: 'invalid_type',
      field: 'addresses.0',
    });
  });

  it('wrong types reject invalid_type', () => {
    expect(map({ ...clean(), nextIndex: '2' })).toMatchObject({ reject: 'invalid_type', field: 'nextIndex' });
    expect(map({ ...clean(), addresses: [{ ...address, index: 1.5 }] })).toMatchObject({
      reject: 'invalid_type',
      field: 'addresses.0.index',
    });
  });

  it('unicode, unknown fields, missing timestamps', () => {
    const doc: LegacyDoc = { ...clean(), label: 'Казна 🦄', firmware: '2.6.0' };
    delete doc.createdAt;
    delete doc.updatedAt;
    const row = mapped(doc).row;
    expect(row).toMatchObject({ label: 'Казна 🦄', createdAt: null, updatedAt: null });
    expect(row.legacyExtra).toEqual({ firmware: '2.6.0' });
  });
});

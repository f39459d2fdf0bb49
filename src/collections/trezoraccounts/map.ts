import type { trezorAccounts } from '../../db/schema/trezorAccounts.js';
import { MapBuilder, optionalInt, optionalString, type MainRow, type Shape } from '../mapping/index.js';
import type { LegacyDoc, MapContext, MapResult } from '../spec.js';
import { mapTrezorAddresses } from './children.js';

const TREZOR_ACCOUNT_SHAPE: Shape = {
  label: true,
  chain: true,
  xpub: true,
  derivationPath: true,
  nextIndex: true,
  addresses: true, // child table, elements have TREZOR_ADDRESS_SHAPE
};

/**
 * A trezoraccounts document → trezor_accounts row + address rows. `nextIndex` is copied as found: it is
 * the wallet's own cursor, not the per-buyer derivation counter. A second account with one xpub maps
 * fine and is refused by trezor_accounts_xpub_uq (constraint_violation).
 */
export function mapTrezorAccount(doc: LegacyDoc, ctx: MapContext): MapResult {
  const b = new MapBuilder(ctx);
  const row: MainRow<typeof trezorAccounts> = {
    ...b.commonColumns(doc, TREZOR_ACCOUNT_SHAPE),
    label: b.read(optionalString(doc.label, 'label')),
    chain: b.read(optionalString(doc.chain, 'chain')),
    xpub: b.read(optionalString(doc.xpub, 'xpub')),
    derivationPath: b.read(optionalString(doc.derivationPath, 'derivationPath')),
    nextIndex: b.read(optionalInt(doc.nextIndex, 'nextIndex')),
  };
  return b.finish(row, { trezor_account_addresses: mapTrezorAddresses(b, doc.addresses) });
}

import type { trezorAccountAddresses } from '../../db/schema/trezorAccounts.js';
import {
  elementExtra,
  optionalDate,
  optionalInt,
  optionalString,
  type ChildRow,
  type MapBuilder,
  type Shape,
} from '../mapping/index.js';
import { subdocElements } from '../mapping/index.js';

type AddressRow = ChildRow<typeof trezorAccountAddresses, 'accountId'>;

export const TREZOR_ADDRESS_SHAPE: Shape = {
  index: true,
  address: true,
  destinationId: true,
  createdAt: true,
};

/**
 * `addresses[]` → trezor_account_addresses. `destinationId` is an optional typed reference: a destination
 * that is gone leaves the FK NULL with `dangling_reference`, the address itself is kept.
 */
export function mapTrezorAddresses(b: MapBuilder, value: unknown): AddressRow[] {
  return subdocElements(b, value, 'addresses').map(({ ordinal, at, element: a }) => ({
    ordinal,
    index: b.read(optionalInt(a.index, `${at}.index`)),
    address: b.read(optionalString(a.address, `${at}.address`)),
    destinationId: b.optionalRef(a.destinationId, {
      field: `${at}.destinationId`,
      parent: 'deriveddestinations',
    }),
    createdAt: b.read(optionalDate(a.createdAt, `${at}.createdAt`)),
    legacyExtra: b.read(elementExtra(a, TREZOR_ADDRESS_SHAPE, at)),
  }));
}

import type { derivedDestinationSweeps } from '../../db/schema/derivedDestinations.js';
import {
  elementExtra,
  optionalDate,
  optionalMoney,
  optionalString,
  type ChildRow,
  type MapBuilder,
  type Shape,
} from '../mapping/index.js';
import { subdocElements } from '../mapping/index.js';

type SweepRow = ChildRow<typeof derivedDestinationSweeps, 'destinationId'>;

export const SWEEP_SHAPE: Shape = { txHash: true, amount: true, sweptAt: true, status: true };

/** `sweepHistory[]` → derived_destination_sweeps; `status` was free text in the model, so it stays text. */
export function mapSweeps(b: MapBuilder, value: unknown): SweepRow[] {
  return subdocElements(b, value, 'sweepHistory').map(({ ordinal, at, element: s }) => ({
    ordinal,
    txHash: b.read(optionalString(s.txHash, `${at}.txHash`)),
    amount: b.read(optionalMoney(s.amount, `${at}.amount`)),
    sweptAt: b.read(optionalDate(s.sweptAt, `${at}.sweptAt`)),
    status: b.read(optionalString(s.status, `${at}.status`)),
    legacyExtra: b.read(elementExtra(s, SWEEP_SHAPE, at)),
  }));
}

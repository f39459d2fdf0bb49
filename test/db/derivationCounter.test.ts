import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedDestinationsSpec } from '../../src/collections/deriveddestinations/spec.js';
import { allocateDerivationIndex, NotInTransactionError } from '../../src/db/derivationCounter.js';
import { asPgUuid, type PgUuid } from '../../src/db/ids.js';
import { createPool } from '../../src/db/client.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

let database: TestDatabase;
let pool: pg.Pool;

async function addUser(): Promise<PgUuid> {
  const id = asPgUuid(randomUUID());
  await pool.query(`INSERT INTO users (id, legacy_object_id) VALUES ($1, $2)`, [id, `u-${id}`]);
  return id;
}

/** One allocation in its own transaction, holding the lock a moment as a real insert would. */
async function allocateInTransaction(buyerId: PgUuid, chain: 'tron' | 'ethereum'): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const index = await allocateDerivationIndex(client, buyerId, chain);
    await client.query('SELECT pg_sleep(0.005)');
    await client.query('COMMIT');
    return index;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

async function nextIndex(buyerId: PgUuid, chain: string): Promise<number | undefined> {
  const { rows } = await pool.query<{ next_index: number }>(
    'SELECT next_index FROM derivation_counters WHERE buyer_id = $1 AND chain = $2',
    [buyerId, chain],
  );
  return rows[0]?.next_index;
}

beforeAll(async () => {
  database = await createTestDatabase();
  // Its own pool, large enough that all 20 allocations really are in flight at once.
  pool = createPool({ url: database.url, max: 20 });
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe('allocateDerivationIndex (plan §4.5)', () => {
  it('20 concurrent allocations on one (buyer, chain) get 20 distinct consecutive indexes', async () => {
    const buyer = await addUser();
    const indexes = await Promise.all(Array.from({ length: 20 }, () => allocateInTransaction(buyer, 'tron')));
    expect([...indexes].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await nextIndex(buyer, 'tron')).toBe(20);
  });

  it('chains and buyers count separately', async () => {
    const buyer = await addUser();
    expect(await allocateInTransaction(buyer, 'ethereum')).toBe(0);
    expect(await allocateInTransaction(buyer, 'ethereum')).toBe(1);
    expect(await allocateInTransaction(buyer, 'tron')).toBe(0);
    expect(await allocateInTransaction(await addUser(), 'ethereum')).toBe(0);
  });

  it('a rolled-back allocation gives its index back', async () => {
    const buyer = await addUser();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      expect(await allocateDerivationIndex(client, buyer, 'tron')).toBe(0);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await allocateInTransaction(buyer, 'tron')).toBe(0);
  });

  it('refuses to run outside a transaction, where its row lock would not hold', async () => {
    const buyer = await addUser();
    const client = await pool.connect();
    try {
      await expect(allocateDerivationIndex(client, buyer, 'tron')).rejects.toBeInstanceOf(
        NotInTransactionError,
      );
    } finally {
      client.release();
    }
  });
});

describe('deriveddestinations finalize: counters from the migrated maximum', () => {
  const insertDestination = (buyer: PgUuid, chain: string, index: number, seller: string) =>
    pool.query(
      `INSERT INTO derived_destinations
         (id, legacy_object_id, buyer_id, seller_external_ref, seller_ref_kind, chain, derivation_index,
          payment_ref_kind)
       VALUES ($1, $2, $3, $4, 'external', $5, $6, 'none')`,
      [randomUUID(), `d-${randomUUID()}`, buyer, seller, chain, index],
    );

  it('sets max(derivation_index) + 1 per (buyer, chain), idempotently, never lowering a counter', async () => {
    const buyer = await addUser();
    const other = await addUser();
    await insertDestination(buyer, 'bsc', 0, 's0');
    await insertDestination(buyer, 'bsc', 9, 's1'); // gaps in the migrated sequence are kept
    await insertDestination(buyer, 'bsc', 4, 's2');
    await insertDestination(buyer, 'polygon', 2, 's0');
    await insertDestination(other, 'bsc', 0, 's0');

    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await derivedDestinationsSpec.finalize?.(client);
      await client.query('COMMIT');
      expect(await nextIndex(buyer, 'bsc')).toBe(10);
      expect(await nextIndex(buyer, 'polygon')).toBe(3);
      expect(await nextIndex(other, 'bsc')).toBe(1);

      await derivedDestinationsSpec.finalize?.(client); // a re-run changes nothing
      expect(await nextIndex(buyer, 'bsc')).toBe(10);

      // pg mode allocated past the maximum meanwhile: a late finalize must not hand those out again.
      await client.query(
        `UPDATE derivation_counters SET next_index = 15 WHERE buyer_id = $1 AND chain = 'bsc'`,
        [buyer],
      );
      await derivedDestinationsSpec.finalize?.(client);
      expect(await nextIndex(buyer, 'bsc')).toBe(15);
    } finally {
      client.release();
    }
    expect(await allocateInTransaction(other, 'ethereum')).toBe(0);
  });

  it('the next allocation after finalize continues the migrated sequence', async () => {
    const buyer = await addUser();
    await insertDestination(buyer, 'tron', 41, 's0');
    const client = await pool.connect();
    try {
      await derivedDestinationsSpec.finalize?.(client);
    } finally {
      client.release();
    }
    expect(await allocateInTransaction(buyer, 'tron')).toBe(42);
  });
});

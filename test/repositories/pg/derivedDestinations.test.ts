import { ObjectId } from 'bson';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../src/repositories/domain/common.js';
import type {
  DestinationRequest,
  IDerivedDestinationRepo,
} from '../../../src/repositories/domain/derivedDestinations.js';
import { MongoDerivedDestinationRepo } from '../../../src/repositories/mongo/derivedDestinations.js';
import { DrizzleDerivedDestinationRepo } from '../../../src/repositories/pg/derivedDestinations.js';
import { withWriteLog } from '../../../src/repositories/seam/writeLog.js';
import {
  usePgRepos,
  expectNotedRows as expectNoted,
  snapshotByLegacyId,
  named,
} from '../../support/pgRepos.js';
import { roundTrip } from '../../support/roundTrip.js';

describe('DrizzleDerivedDestinationRepo: Postgres authoritative, the same answers as MongoDB', () => {
  let pool: pg.Pool;
  let failures: string[];
  let repo: DrizzleDerivedDestinationRepo;
  let mongoRepo: MongoDerivedDestinationRepo;
  const mongo = usePgRepos(async ({ ctx, pool: opened, failures: refused }) => {
    pool = opened;
    failures = refused;
    await ctx.models.DerivedDestination.init();
    mongoRepo = new MongoDerivedDestinationRepo(ctx);
    repo = new DrizzleDerivedDestinationRepo({ pool });
  });

  /** Every destination and its sweeps, by legacy id, as comparable JSON. */
  const tableSnapshot = () =>
    snapshotByLegacyId(
      pool,
      `SELECT d.legacy_object_id, jsonb_build_object(
                'row', to_jsonb(d),
                'sweeps', (SELECT jsonb_agg(to_jsonb(s) ORDER BY s.ordinal) FROM derived_destination_sweeps s
                            WHERE s.destination_id = d.id)) AS row
         FROM derived_destinations d`,
    );

  /** Runs one call and checks from the tables that exactly the documents it changed were noted. */
  const expectNotedRows = <T>(call: () => Promise<T>) =>
    expectNoted('deriveddestinations', tableSnapshot, call, { requireChange: false });

  const request = (
    buyerId: string,
    chain: DestinationRequest['chain'],
    sellerId?: string | null,
    extra: Partial<DestinationRequest> = {},
  ): DestinationRequest => ({
    buyerId,
    sellerId,
    chain,
    deriveAddress: (i) => `${chain}-${buyerId}-${sellerId ?? 'none'}-${i}`,
    ...extra,
  });

  it('the same sequence of calls gives the same domain objects in MongoDB and in Postgres', async () => {
    const buyer = await mongo.newUser();
    const seller = await mongo.newUser();
    const seller2 = await mongo.newUser();
    const dangling = new ObjectId().toHexString();
    const t0 = new Date('2026-01-02T03:04:05.678Z');
    const script = async (store: IDerivedDestinationRepo) => {
      const names = new Map<string, string>([
        [buyer, 'buyer'],
        [seller, 'seller'],
        [seller2, 'seller2'],
        [dangling, 'dangling'],
      ]);
      const out: [string, unknown][] = [];
      const derived: string[] = [];
      const attempt = async <T>(name: string, call: () => Promise<T>): Promise<T | undefined> => {
        try {
          const value = await call();
          const one = value as { id?: unknown; destination?: { id: string } } | null;
          const id = one?.destination?.id ?? one?.id;
          if (typeof id === 'string' && !names.has(id)) names.set(id, name);
          out.push([name, named(value, names)]);
          return value;
        } catch (error) {
          out.push([name, (error as Error).name]);
          return undefined;
        }
      };
      const counted = (r: DestinationRequest): DestinationRequest => ({
        ...r,
        deriveAddress: (i) => {
          derived.push(`${r.chain}:${i}`);
          return r.deriveAddress(i);
        },
      });
      const a = await attempt('a', () => store.allocate(counted(request(buyer, 'ethereum', seller))));
      await attempt('a again', () => store.allocate(counted(request(buyer, 'ethereum', seller))));
      await attempt('tron', () => store.allocate(counted(request(buyer, 'tron', seller))));
      await attempt('external seller', () =>
        store.allocate(counted(request(buyer, 'ethereum', 'ext-seller', { paymentId: 'pay-ext' }))),
      );
      await attempt('dangling seller', () =>
        store.allocate(counted(request(buyer, 'ethereum', dangling, { paymentId: dangling }))),
      );
      await attempt('no seller', () => store.allocate(counted(request(buyer, 'polygon'))));
      await attempt('no seller again (null)', () => store.allocate(counted(request(buyer, 'polygon', null))));
      await attempt('seller2', () => store.allocate(counted(request(buyer, 'ethereum', seller2))));
      const id = a!.destination.id;
      await attempt('sweep 1', () =>
        store.recordSweep(id, { txHash: '0x1', amount: '1.50', sweptAt: t0, status: 'pending' }),
      );
      await attempt('sweep 1 again', () => store.recordSweep(id, { txHash: '0x1', amount: '9' }));
      await attempt('sweep 2', () =>
        store.recordSweep(id, { txHash: '0x2', amount: '0.000000000000000001' }),
      );
      await attempt('sweep bad amount', () => store.recordSweep(id, { txHash: '0x3', amount: 'abc' }));
      await attempt('sweep unknown', () =>
        store.recordSweep(new ObjectId().toHexString(), { txHash: '0x1', amount: '1' }),
      );
      await attempt('findById', () => store.findById(id));
      await attempt('findById unknown', () => store.findById(new ObjectId().toHexString()));
      await attempt('findByAddress', () => store.findByAddress(a!.destination.address!));
      await attempt('findByAddress unknown', () => store.findByAddress('nowhere'));
      await attempt('listByBuyer', () => store.listByBuyer(buyer));
      await attempt('listByBuyer page', () => store.listByBuyer(buyer, { limit: 2, offset: 1 }));
      await attempt('listByBuyer seller', () => store.listByBuyer(seller));
      // Last: a refused allocation leaves a gap in MongoDB's counter, none in Postgres'.
      await attempt('taken address', () =>
        store.allocate(
          counted(request(buyer, 'bsc', seller, { deriveAddress: () => a!.destination.address! })),
        ),
      );
      out.push(['derived', derived]);
      return out;
    };
    const fromMongo = await script(mongoRepo);
    const fromPostgres = await script(repo);
    expect(fromPostgres).toStrictEqual(fromMongo);
    // Spot checks, so an equal pair of wrong answers cannot pass.
    const at = (name: string) => fromPostgres.find(([n]) => n === name)?.[1];
    expect(at('a')).toMatchObject({ created: true, destination: { derivationIndex: 0, status: 'active' } });
    expect(at('a again')).toMatchObject({ created: false, destination: { id: 'a' } });
    expect(at('no seller again (null)')).toMatchObject({ created: false, destination: { id: 'no seller' } });
    expect(at('seller2')).toMatchObject({ destination: { derivationIndex: 3, sellerId: 'seller2' } });
    expect(at('external seller')).toMatchObject({
      destination: { sellerId: 'ext-seller', paymentId: 'pay-ext' },
    });
    expect(at('dangling seller')).toMatchObject({ destination: { sellerId: 'dangling' } });
    expect(at('sweep 2')).toMatchObject({
      status: 'swept',
      sweepHistory: [
        { txHash: '0x1', amount: '1.5', status: 'pending', sweptAt: 'date', _id: 'oid' },
        { txHash: '0x2', amount: '0.000000000000000001', status: 'confirmed' },
      ],
    });
    expect(at('sweep 1 again')).toMatchObject({ sweepHistory: [{ txHash: '0x1' }] });
    expect(at('sweep bad amount')).toBe('DomainRuleError');
    expect(at('sweep unknown')).toBe('NotFoundError');
    expect(at('taken address')).toBe('DomainRuleError');
    expect((at('listByBuyer') as { id: string }[]).map((d) => d.id)).toEqual([
      'a',
      'external seller',
      'dangling seller',
      'seller2',
      'no seller',
      'tron',
    ]);
    expect(at('derived')).toEqual([
      'ethereum:0',
      'tron:0',
      'ethereum:1',
      'ethereum:2',
      'polygon:0',
      'ethereum:3',
      'bsc:0',
    ]);
    expect(failures).toEqual([]);
  });

  it('20 concurrent allocations for one buyer and chain, 20 sellers: 20 distinct consecutive indexes', async () => {
    const buyer = await mongo.newUser();
    const sellers = await Promise.all(Array.from({ length: 20 }, () => mongo.newUser()));
    failures.length = 0;
    const results = await Promise.all(sellers.map((s) => repo.allocate(request(buyer, 'tron', s))));
    expect(results.every((r) => r.created)).toBe(true);
    expect(results.map((r) => r.destination.derivationIndex).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    const { rows } = await pool.query(
      `SELECT c.next_index FROM derivation_counters c JOIN users u ON u.id = c.buyer_id
        WHERE u.legacy_object_id = $1 AND c.chain = 'tron'`,
      [buyer],
    );
    expect(rows).toEqual([{ next_index: 20 }]);
    // And 20 concurrent allocations of ONE (buyer, seller, chain): one destination, one index.
    const same = await Promise.all(
      Array.from({ length: 20 }, () => repo.allocate(request(buyer, 'bsc', sellers[0]))),
    );
    expect(same.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(same.map((r) => r.destination.id)).size).toBe(1);
    expect(same[0]!.destination.derivationIndex).toBe(0);
    const next = await repo.allocate(request(buyer, 'bsc', sellers[1]));
    expect(next.destination.derivationIndex).toBe(1);
    expect(failures).toEqual([]);
  });

  it('notes the one destination every write changes, and nothing else', async () => {
    const buyer = await mongo.newUser();
    const { value: made, log } = await expectNotedRows(() => repo.allocate(request(buyer, 'ethereum')));
    expect(log.size).toBe(1);
    const again = await withWriteLog(() => repo.allocate(request(buyer, 'ethereum')));
    expect(again.log.size).toBe(0);
    const { log: swept } = await expectNotedRows(() =>
      repo.recordSweep(made.destination.id, { txHash: 'n1', amount: '2' }),
    );
    expect(swept.size).toBe(1);
    const { rows } = await pool.query(
      `SELECT updated_at = source_updated_at AS versioned, source_read_at > updated_at AS read_after,
              date_trunc('milliseconds', updated_at) = updated_at AS ms
         FROM derived_destinations WHERE legacy_object_id = $1`,
      [made.destination.id],
    );
    expect(rows).toEqual([{ versioned: true, read_after: true, ms: true }]);
  });

  it('refuses a destination of a buyer Postgres does not hold, leaving nothing behind', async () => {
    const before = await pool.query(`SELECT count(*) FROM id_map`);
    await expect(repo.allocate(request(new ObjectId().toHexString(), 'tron'))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect((await pool.query(`SELECT count(*) FROM id_map`)).rows).toEqual(before.rows);
  });

  it('every destination Postgres wrote, mapped back and forward, gives its rows again', async () => {
    const buyer = await mongo.newUser();
    const seller = await mongo.newUser();
    const one = await repo.allocate(request(buyer, 'ethereum', seller, { paymentId: 'tmpl_x' }));
    await repo.recordSweep(one.destination.id, { txHash: 'r1', amount: '12.345', status: 'ok' });
    await repo.allocate(request(buyer, 'polygon', 'ext'));
    const { problems, documents } = await roundTrip(pool, 'deriveddestinations');
    expect(problems).toEqual([]);
    expect(documents.size).toBeGreaterThanOrEqual(3);
  });
});

import { Double, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { MongoDerivedDestinationRepo } from '../../../src/repositories/mongo/derivedDestinations.js';
import { DERIVATION_COUNTERS } from '../../../src/repositories/mongo/derivationCounters.js';
import type { DestinationChain } from '../../../src/repositories/domain/derivedDestinations.js';
import { DomainRuleError, NotFoundError } from '../../../src/repositories/domain/common.js';
import { hexId, useMongoRepos } from '../../support/mongoRepos.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoDerivedDestinationRepo: atomic derivation indexes, one destination per buyer, seller and chain', () => {
  let repo: MongoDerivedDestinationRepo;
  const mongo = useMongoRepos(async ({ ctx }) => {
    // uniq_destination_by_buyer_seller_chain and the unique address decide the races below.
    await ctx.models.DerivedDestination.init();
    repo = new MongoDerivedDestinationRepo(ctx);
  });
  const destinations = () => mongo.db.collection('deriveddestinations');

  /** A stand-in for xpub derivation: unique per buyer, chain and index, and it records what it was asked. */
  const deriver = (asked: number[] = []) => ({
    asked,
    derive: (buyerId: string, chain: DestinationChain) => (index: number) => {
      asked.push(index);
      return `${chain}:${buyerId}:${index}`;
    },
  });

  it('allocates 20 concurrent destinations of one buyer and chain at 20 distinct, consecutive indexes', async () => {
    const buyerId = hexId();
    const { asked, derive } = deriver();
    const sellers = Array.from({ length: 20 }, () => hexId());
    const { value: results, changed } = await expectNotedWrites(mongo.db, () =>
      Promise.all(
        sellers.map((sellerId) =>
          repo.allocate({ buyerId, sellerId, chain: 'tron', deriveAddress: derive(buyerId, 'tron') }),
        ),
      ),
    );
    expect(results.every((r) => r.created)).toBe(true);
    const indexes = results.map((r) => r.destination.derivationIndex).sort((a, b) => a - b);
    expect(indexes).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(asked.sort((a, b) => a - b)).toEqual(indexes);
    for (const { destination } of results)
      expect(destination).toMatchObject({
        address: `tron:${buyerId}:${destination.derivationIndex}`,
        status: 'active',
      });
    // 20 destinations and the one counter document, every write noted.
    expect(changed.filter((c) => c.collection === DERIVATION_COUNTERS)).toHaveLength(1);
    expect(await destinations().countDocuments({ buyerId: new ObjectId(buyerId) })).toBe(20);

    // Another chain of the same buyer has its own sequence.
    const bsc = await repo.allocate({
      buyerId,
      sellerId: sellers[0],
      chain: 'bsc',
      deriveAddress: derive(buyerId, 'bsc'),
    });
    expect(bsc.destination.derivationIndex).toBe(0);
  });

  it('answers 20 concurrent allocations for one seller with one destination', async () => {
    const buyerId = hexId();
    const sellerId = hexId();
    const { derive } = deriver();
    const { value: results } = await expectNotedWrites(mongo.db, () =>
      Promise.all(
        Array.from({ length: 20 }, () =>
          repo.allocate({ buyerId, sellerId, chain: 'ethereum', deriveAddress: derive(buyerId, 'ethereum') }),
        ),
      ),
    );
    expect(await destinations().countDocuments({ buyerId: new ObjectId(buyerId) })).toBe(1);
    expect(new Set(results.map((r) => r.destination.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    // Indexes the losers took are burnt, never handed out again: the next seller gets a fresh one.
    const next = await repo.allocate({
      buyerId,
      sellerId: hexId(),
      chain: 'ethereum',
      deriveAddress: derive(buyerId, 'ethereum'),
    });
    expect(next.destination.derivationIndex).toBeGreaterThan(
      results[0]?.destination.derivationIndex ?? Infinity,
    );
  });

  it('continues after the destinations that already exist (a counter that is new starts past them)', async () => {
    const buyerId = new ObjectId();
    await destinations().insertOne({
      buyerId,
      sellerId: 'legacy-seller',
      chain: 'polygon',
      derivationIndex: 7,
      address: `legacy:${buyerId.toHexString()}`,
      status: 'active',
      sweepHistory: [{ txHash: '0xold', amount: new Double(0.1) }],
    });
    const { derive } = deriver();
    const { destination } = await repo.allocate({
      buyerId: buyerId.toHexString(),
      sellerId: null,
      chain: 'polygon',
      deriveAddress: derive(buyerId.toHexString(), 'polygon'),
    });
    expect(destination.derivationIndex).toBe(8);
    // A legacy double sweep amount reads as its exact decimal.
    const legacy = await repo.findByAddress(`legacy:${buyerId.toHexString()}`);
    expect(legacy?.sweepHistory[0]?.amount).toBe('0.1');
    expect((await repo.listByBuyer(buyerId.toHexString())).map((d) => d.derivationIndex)).toEqual([7, 8]);
  });

  it('refuses an address that another destination has, and writes nothing', async () => {
    const buyerId = hexId();
    await repo.allocate({ buyerId, chain: 'tron', deriveAddress: () => 'Tsame' });
    await expect(
      expectNotedWrites(mongo.db, () =>
        repo.allocate({ buyerId, sellerId: 'other', chain: 'tron', deriveAddress: () => 'Tsame' }),
      ),
    ).rejects.toBeInstanceOf(DomainRuleError);
    expect(await destinations().countDocuments({ address: 'Tsame' })).toBe(1);
  });

  it('records a sweep once per transaction, exactly, and never on a quarantined destination', async () => {
    const buyerId = hexId();
    const { derive } = deriver();
    const { destination } = await repo.allocate({
      buyerId,
      chain: 'tron',
      deriveAddress: derive(buyerId, 'tron'),
    });
    const sweep = {
      txHash: '0xsweep',
      amount: '1000.000000000000000001',
      sweptAt: new Date('2024-05-01T00:00:00Z'),
    };
    const { value: swept } = await expectNotedWrites(mongo.db, () => repo.recordSweep(destination.id, sweep));
    expect(swept).toMatchObject({
      status: 'swept',
      sweepHistory: [{ txHash: '0xsweep', amount: '1000.000000000000000001', status: 'confirmed' }],
    });
    const raw = await destinations().findOne({ _id: new ObjectId(destination.id) });
    expect(raw?.sweepHistory?.[0]?.amount?._bsontype).toBe('Decimal128');

    const { value: repeated, changed } = await expectNotedWrites(mongo.db, () =>
      Promise.all(Array.from({ length: 5 }, () => repo.recordSweep(destination.id, sweep))),
    );
    expect(changed).toHaveLength(0);
    expect(repeated.every((d) => d.sweepHistory.length === 1)).toBe(true);
    // New deposits swept later are a second sweep.
    expect(
      (await repo.recordSweep(destination.id, { txHash: '0xsweep2', amount: '5' })).sweepHistory,
    ).toHaveLength(2);

    await destinations().updateOne(
      { _id: new ObjectId(destination.id) },
      { $set: { status: 'quarantined' } },
    );
    await expect(
      repo.recordSweep(destination.id, { txHash: '0xsweep3', amount: '1' }),
    ).rejects.toBeInstanceOf(DomainRuleError);
    await expect(
      repo.recordSweep(destination.id, { txHash: '0xsweep4', amount: '1.5.5' }),
    ).rejects.toBeInstanceOf(DomainRuleError);
    await expect(repo.recordSweep(hexId(), sweep)).rejects.toBeInstanceOf(NotFoundError);
    expect((await repo.findById(destination.id))?.sweepHistory).toHaveLength(2);
  });
});

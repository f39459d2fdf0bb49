import type { Db } from 'mongodb';
import { z } from 'zod';
import { generateBatch } from './batch.js';
import { createPlan } from './plan.js';
import type { QuirkRecord } from './quirks.js';
import { REGISTRY } from './registry.js';

export type { QuirkExpectation, QuirkRecord } from './quirks.js';

export interface SeedOptions {
  /** Approximate total number of documents across collections. */
  docs: number;
  /** @defaultValue 42 */
  seed?: number;
  /** Fraction of documents carrying a quirk. @defaultValue 0.02 */
  quirkRate?: number;
  /** Documents per insertMany. @defaultValue 1000 */
  batchSize?: number;
  /** Drop the generated collections first; otherwise a non-empty one is an error. @defaultValue false */
  drop?: boolean;
}

export interface SeedResult {
  /** Documents inserted per collection. */
  counts: Record<string, number>;
  /** One record per quirky document, with the outcome docs/data-policy.md predicts. */
  quirks: QuirkRecord[];
  seconds: number;
}

const optionsSchema = z.object({
  docs: z.number().int().nonnegative(),
  seed: z.number().int().nonnegative().default(42),
  quirkRate: z.number().min(0).max(1).default(0.02),
  batchSize: z.number().int().positive().default(1000),
  drop: z.boolean().default(false),
});

/**
 * Fills `db` with the synthetic legacy dataset: indexes first (so the production unique indexes police the
 * generated data too), then each collection parents first, one generated batch per insertMany so memory
 * stays bounded whatever `docs` is. The same (docs, seed, quirkRate) always writes the same documents.
 */
export async function seedDatabase(
  db: Db,
  options: SeedOptions,
  onProgress?: (inserted: number, total: number) => void,
): Promise<SeedResult> {
  const started = performance.now();
  const { batchSize, drop, ...planOptions } = optionsSchema.parse(options);
  const plan = createPlan(planOptions);
  const total = Object.values(plan.counts).reduce((sum, count) => sum + count, 0);
  const quirks: QuirkRecord[] = [];
  let inserted = 0;

  for (const { generator } of REGISTRY) {
    const collection = db.collection(generator.name);
    if (drop) {
      // The driver already treats a collection that does not exist as dropped.
      await collection.drop();
    } else if ((await collection.findOne({}, { projection: { _id: 1 } })) !== null) {
      throw new Error(`seed: collection ${generator.name} is not empty (pass drop to replace it)`);
    }
    if (generator.indexes.length > 0) await collection.createIndexes([...generator.indexes]);

    const count = plan.count(generator.name);
    for (let from = 0; from < count; from += batchSize) {
      const batch = generateBatch(plan, generator.name, from, from + batchSize);
      // Unordered like a production bulk load; a refusal still throws: data a production index refuses is a
      // generator bug, not a quirk.
      await collection.insertMany(batch.docs, { ordered: false });
      quirks.push(...batch.quirks);
      inserted += batch.docs.length;
      onProgress?.(inserted, total);
    }
  }
  return { counts: { ...plan.counts }, quirks, seconds: (performance.now() - started) / 1000 };
}

import type { Document } from 'mongodb';
import { legacyIdText } from './objectIds.js';
import type { SeedPlan } from './plan.js';
import type { QuirkRecord } from './quirks.js';
import { REGISTRY } from './registry.js';

export interface GeneratedBatch {
  readonly docs: Document[];
  /** One record per quirky document of the batch, in document order. */
  readonly quirks: QuirkRecord[];
}

/**
 * Documents [from, to) of one collection, with their quirk labels. Pure: the seeder calls it once per
 * insertMany batch, the tests call it without a database.
 */
export function generateBatch(plan: SeedPlan, collection: string, from: number, to: number): GeneratedBatch {
  const entry = REGISTRY.find(({ generator }) => generator.name === collection);
  if (entry === undefined) throw new Error(`no synthetic generator for collection ${collection}`);
  const { generator } = entry;
  const docs: Document[] = [];
  const quirks: QuirkRecord[] = [];
  for (let index = from; index < Math.min(to, plan.count(collection)); index++) {
    const quirk = plan.quirkAt(collection, index);
    const doc = generator.generate(plan, index, quirk);
    docs.push(doc);
    if (quirk !== undefined) {
      quirks.push({
        collection,
        id: legacyIdText(doc._id),
        quirk,
        expect: plan.expectation(collection, quirk),
      });
    }
  }
  return { docs, quirks };
}

import type { Document } from 'mongodb';
import { generateBatch } from '../../src/synthetic/batch.js';
import { createPlan } from '../../src/synthetic/plan.js';
import type { PlanOptions, SeedPlan } from '../../src/synthetic/plan.js';
import type { QuirkRecord } from '../../src/synthetic/quirks.js';
import { REGISTRY } from '../../src/synthetic/registry.js';

/** A whole synthetic dataset in memory, for the pure tests (small N only). */
export interface Dataset {
  readonly plan: SeedPlan;
  readonly docs: Readonly<Record<string, Document[]>>;
  readonly quirks: QuirkRecord[];
  /** collection → legacy id text → quirk record. */
  readonly labels: ReadonlyMap<string, ReadonlyMap<string, QuirkRecord>>;
}

export function generateDataset(options: PlanOptions, batchSize = 1000): Dataset {
  const plan = createPlan(options);
  const docs: Record<string, Document[]> = {};
  const quirks: QuirkRecord[] = [];
  const labels = new Map<string, Map<string, QuirkRecord>>();
  for (const { generator } of REGISTRY) {
    const name = generator.name;
    const collected: Document[] = (docs[name] = []);
    const byId = new Map<string, QuirkRecord>();
    labels.set(name, byId);
    for (let from = 0; from < plan.count(name); from += batchSize) {
      const batch = generateBatch(plan, name, from, from + batchSize);
      collected.push(...batch.docs);
      quirks.push(...batch.quirks);
      for (const record of batch.quirks) byId.set(record.id, record);
    }
  }
  return { plan, docs, quirks, labels };
}

/** An `_id` or reference as text: ObjectId hex, or the string itself. */
export function idText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && 'toHexString' in value) {
    return (value as { toHexString(): string }).toHexString();
  }
  throw new Error(`not an id: ${String(value)}`);
}

/** Every string inside a document, at any depth. */
export function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* strings(item);
  else if (
    value !== null &&
    typeof value === 'object' &&
    !('toHexString' in value) &&
    !(value instanceof Date)
  ) {
    for (const item of Object.values(value)) yield* strings(item);
  }
}

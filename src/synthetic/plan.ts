import type { ObjectId } from 'bson';
import { FALLBACK_QUIRK } from './generator.js';
import type { CollectionGenerator, TimeWindow } from './generator.js';
import { documentId, orphanId } from './objectIds.js';
import { MARKET_INPUTS } from './market.js';
import { buildPopulation } from './population.js';
import type { Population } from './population.js';
import { hash32, hashString, Rng } from './prng.js';
import { quirkSlot, quirkyCount } from './quirks.js';
import type { QuirkExpectation } from './quirks.js';
import { REGISTRY } from './registry.js';

export type { Population } from './population.js';

/** The dataset's time frame, fixed by the seed (never the wall clock, or output would change daily). */
export interface Epoch {
  readonly startMs: number;
  readonly endMs: number;
}

export interface PlanOptions {
  readonly docs: number;
  readonly seed: number;
  readonly quirkRate: number;
}

/**
 * Everything a generator may ask about the dataset besides its own document: sizes, ids and times of any
 * document, which documents carry which quirk, and which users exist to be referenced. All answers are
 * pure functions of (options, collection, index); the only state is the user population, a few bytes per
 * user, which is what keeps a million documents in bounded memory.
 */
export interface SeedPlan extends PlanOptions {
  readonly epoch: Epoch;
  readonly counts: Readonly<Record<string, number>>;
  readonly population: Population;
  count(collection: string): number;
  quirkAt(collection: string, index: number): string | undefined;
  /**
   * The kind drawn for document `index` before `eligible` is asked (so it never recurses into generators):
   * what the market structure uses to leave room for a quirk (`empty_offers`).
   */
  drawnQuirkAt(collection: string, index: number): string | undefined;
  expectation(collection: string, quirk: string): QuirkExpectation;
  /** The document will be rejected by the migration: nothing clean may reference it. */
  isRejected(collection: string, index: number): boolean;
  timeOf(collection: string, index: number): number;
  idOf(collection: string, index: number): ObjectId;
  /** A hard-deleted parent's id, referenced from (referrer, index), created before `beforeMs`. */
  orphanIdFor(referrer: string, index: number, beforeMs: number): ObjectId;
  /** The random stream of one document (and one named aspect of it). */
  rng(collection: string, index: number, stream?: string): Rng;
}

interface CollectionState {
  readonly generator: CollectionGenerator;
  count: number;
  quirky: number;
  readonly kinds: readonly string[];
  readonly salt: number;
  window: TimeWindow;
}

const DAY_MS = 86_400_000;

export function createPlan(options: PlanOptions): SeedPlan {
  return new Plan(options);
}

class Plan implements SeedPlan {
  readonly docs: number;
  readonly seed: number;
  readonly quirkRate: number;
  readonly epoch: Epoch;
  readonly counts: Record<string, number> = {};
  readonly population: Population;
  readonly #states = new Map<string, CollectionState>();

  constructor(options: PlanOptions) {
    ({ docs: this.docs, seed: this.seed, quirkRate: this.quirkRate } = options);
    const rng = new Rng(this.seed, hashString('epoch'));
    // Six and a half years of history: the dates move with the seed, never with the clock.
    this.epoch = {
      startMs: Date.UTC(2019, 0, 1) + rng.int(180) * DAY_MS,
      endMs: Date.UTC(2025, 8, 1) + rng.int(60) * DAY_MS,
    };

    const fixed = REGISTRY.reduce((sum, { size }) => sum + ('fixed' in size ? size.fixed(this.docs) : 0), 0);
    const shares = REGISTRY.reduce((sum, { size }) => sum + ('share' in size ? size.share : 0), 0);
    const rest = Math.max(0, this.docs - fixed);
    for (const { generator, size } of REGISTRY) {
      const count = 'fixed' in size ? size.fixed(this.docs) : Math.round((rest * size.share) / shares);
      const kinds = Object.keys(generator.quirks);
      if (generator.quirks[FALLBACK_QUIRK]?.outcome !== 'migrated')
        throw new Error(`${generator.name} lacks the ${FALLBACK_QUIRK} quirk, or it does not migrate`);
      const salt = hash32(this.seed, hashString(generator.name));
      // Rotate the kinds by seed so that which kind lands where is not the same for every seed.
      const shift = salt % kinds.length;
      this.#states.set(generator.name, {
        generator,
        count: 0,
        quirky: 0,
        kinds: [...kinds.slice(shift), ...kinds.slice(0, shift)],
        salt,
        window: generator.window(this.epoch),
      });
      this.#resize(generator.name, count);
    }

    this.population = buildPopulation(this);
    const { market } = this.population;
    for (const state of this.#states.values()) {
      const cap = state.generator.cap?.(this.population);
      if (cap !== undefined && cap < state.count) this.#resize(state.generator.name, cap);
    }
    // The market was planned from these counts; a cap that changed them would leave it pointing nowhere.
    for (const name of MARKET_INPUTS) {
      if (market.plannedCounts[name] !== undefined && market.plannedCounts[name] !== this.counts[name])
        throw new Error(`${name}: capped after the market was planned on its count`);
    }
  }

  #resize(name: string, count: number): void {
    const state = this.#state(name);
    if (count > 0xffffff) throw new Error(`${name}: ${count} documents exceed the 24-bit ObjectId counter`);
    state.count = count;
    state.quirky = quirkyCount(count, this.quirkRate, state.kinds.length);
    this.counts[name] = count;
  }

  #state(name: string): CollectionState {
    const state = this.#states.get(name);
    if (state === undefined) throw new Error(`no synthetic generator for collection ${name}`);
    return state;
  }

  count(collection: string): number {
    return this.#state(collection).count;
  }

  quirkAt(collection: string, index: number): string | undefined {
    const kind = this.drawnQuirkAt(collection, index);
    if (kind === undefined) return undefined;
    return this.#state(collection).generator.eligible?.(this, index, kind) === false ? FALLBACK_QUIRK : kind;
  }

  drawnQuirkAt(collection: string, index: number): string | undefined {
    const state = this.#state(collection);
    const slot = quirkSlot(state.count, state.quirky, state.salt, index);
    if (slot === undefined) return undefined;
    return state.kinds[slot % state.kinds.length] ?? FALLBACK_QUIRK;
  }

  expectation(collection: string, quirk: string): QuirkExpectation {
    const expect = this.#state(collection).generator.quirks[quirk];
    if (expect === undefined) throw new Error(`${collection} has no quirk ${quirk}`);
    return expect;
  }

  isRejected(collection: string, index: number): boolean {
    // The fallback always migrates (checked above), so eligibility only matters for a drawn rejecting kind;
    // not asking it otherwise keeps the market plannable before the generators can answer eligibility.
    const drawn = this.drawnQuirkAt(collection, index);
    if (drawn === undefined || this.expectation(collection, drawn).outcome !== 'rejected') return false;
    return this.quirkAt(collection, index) === drawn;
  }

  timeOf(collection: string, index: number): number {
    const { window, count } = this.#state(collection);
    return window.startMs + Math.floor(((window.endMs - window.startMs) * index) / Math.max(1, count));
  }

  idOf(collection: string, index: number): ObjectId {
    return documentId(this.seed, collection, index, this.timeOf(collection, index));
  }

  orphanIdFor(referrer: string, index: number, beforeMs: number): ObjectId {
    const rng = this.rng(referrer, index, 'orphan');
    const ms = this.epoch.startMs + rng.int(Math.max(1, beforeMs - this.epoch.startMs));
    return orphanId(this.seed, referrer, index, ms);
  }

  rng(collection: string, index: number, stream = ''): Rng {
    return new Rng(this.seed, hashString(collection), index, hashString(stream));
  }
}

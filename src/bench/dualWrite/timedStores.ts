import type { CommandSucceededEvent, MongoClient } from 'mongodb';
import type pg from 'pg';

/** Wall time and count per label (a SQL statement's opening, a MongoDB command's name). */
export class TimeBook {
  readonly entries = new Map<string, { ms: number; count: number }>();

  add(label: string, ms: number): void {
    const entry = this.entries.get(label) ?? { ms: 0, count: 0 };
    entry.ms += ms;
    entry.count += 1;
    this.entries.set(label, entry);
  }

  totalMs(): number {
    let ms = 0;
    for (const entry of this.entries.values()) ms += entry.ms;
    return ms;
  }

  count(): number {
    let count = 0;
    for (const entry of this.entries.values()) count += entry.count;
    return count;
  }
}

/**
 * A statement's label: its opening words, whitespace collapsed, savepoints folded into one label. A CTE
 * statement is named by its CTE and the first write after one (else its last SELECT), as in
 * `WITH r … UPDATE "users"`: the link pass's three statements share one long CTE and would otherwise
 * read as one.
 */
export function statementLabel(text: string): string {
  const sql = text.replace(/\s+/g, ' ').trim();
  if (/^(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b/i.test(sql)) return 'SAVEPOINT / RELEASE';
  const cte = /^WITH (\S+) AS \(/i.exec(sql);
  const verbs = [...sql.matchAll(/\)\s+(UPDATE|INSERT INTO|DELETE FROM|SELECT)\s+([^\s(]+)/gi)];
  const main = verbs.find((m) => m[1]!.toUpperCase() !== 'SELECT') ?? verbs.at(-1);
  const label =
    cte && main ? `WITH ${cte[1]} … ${main[1]} ${main[2]} (${cte[1]}: ${sql.slice(cte[0].length)}` : sql;
  return label.length > 90 ? `${label.slice(0, 90)}…` : label;
}

function textOf(query: unknown): string {
  if (typeof query === 'string') return query;
  if (query && typeof query === 'object' && 'text' in query && typeof query.text === 'string')
    return query.text;
  return '(submittable)';
}

/**
 * The pool with every statement of its clients timed into `book` (checkout included as `pool.connect`):
 * how the profile splits a sync's time without touching the code it profiles.
 */
export function timedPool(pool: pg.Pool, book: TimeBook): pg.Pool {
  return new Proxy(pool, {
    get(target, property, receiver) {
      if (property === 'connect') {
        return async () => {
          const t0 = performance.now();
          const client = await target.connect();
          book.add('pool.connect', performance.now() - t0);
          return timedClient(client, book);
        };
      }
      if (property === 'query') return timedQuery(target, book);
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function timedClient(client: pg.PoolClient, book: TimeBook): pg.PoolClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'query') return timedQuery(target, book);
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function timedQuery(target: pg.Pool | pg.PoolClient, book: TimeBook) {
  const query = target.query.bind(target) as (...args: unknown[]) => unknown;
  return (...args: unknown[]) => {
    const t0 = performance.now();
    const result = query(...args);
    if (result instanceof Promise) {
      return result.finally(() => book.add(statementLabel(textOf(args[0])), performance.now() - t0));
    }
    return result;
  };
}

/** MongoDB command times from the driver's command monitoring (the client needs `monitorCommands`). */
export function monitorMongo(client: MongoClient, book: TimeBook): () => void {
  const listener = (event: CommandSucceededEvent) => book.add(`mongo ${event.commandName}`, event.duration);
  client.on('commandSucceeded', listener);
  return () => client.off('commandSucceeded', listener);
}

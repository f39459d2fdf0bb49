import pg from 'pg';
import { migrateDatabase } from '../db/migrate.js';
import { quoteIdent } from '../backfill/sql/tableShape.js';

/** The URL of database `name` on the server of `pgUrl` (same host, user and options). */
export function databaseUrl(pgUrl: string, name: string): string {
  const url = new URL(pgUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

async function withAdmin<T>(pgUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(pgUrl, 'postgres') });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** DROP … WITH (FORCE): a database left by an interrupted bench may still have connections. */
export async function dropDatabase(pgUrl: string, name: string): Promise<void> {
  await withAdmin(pgUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
  );
}

/** A fresh database with the committed migrations applied; returns its URL. */
export async function freshDatabase(pgUrl: string, name: string): Promise<string> {
  await dropDatabase(pgUrl, name);
  const url = databaseUrl(pgUrl, name);
  await migrateDatabase(url);
  return url;
}

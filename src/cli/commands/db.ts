import type { Command } from 'commander';
import { loadConfig, redactUrl } from '../../config/env.js';
import { migrateDatabase } from '../../db/migrate.js';
import { checkPostgres } from '../preflight.js';

export function registerDb(program: Command): void {
  const db = program.command('db').description('Postgres schema management');
  db.command('migrate')
    .description('create the target database if needed and apply pending migrations (idempotent)')
    .action(async () => {
      const config = loadConfig();
      const adminUrl = new URL(config.PG_URL);
      adminUrl.pathname = '/postgres';
      await checkPostgres(adminUrl.toString());
      const result = await migrateDatabase(config.PG_URL);
      const created = result.createdDatabase ? 'created the database, ' : '';
      process.stdout.write(
        `${redactUrl(config.PG_URL)}: ${created}${result.applied} migration(s) applied, schema up to date\n`,
      );
    });
}

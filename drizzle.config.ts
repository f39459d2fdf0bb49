import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  schema: './src/db/schema/index.ts',
  out: './src/db/migrations',
  dialect: 'postgresql',
  // Only `generate`/`check` run in CI and neither connects; `strangler db migrate` applies migrations.
  dbCredentials: { url: process.env.PG_URL ?? 'postgres://postgres@localhost:5432/strangler' },
  strict: true,
  verbose: true,
});

-- A checkpoint per sweep direction (src/db/schema/sweep.ts): the reverse sweep of pg-mode collections
-- keeps its own. Existing rows are the forward sweep's. drizzle-kit cannot name the old primary key and
-- orders the statements pk-before-column, so the generated file was reordered and the name filled in
-- (a column-level PRIMARY KEY is named <table>_pkey). All in the migrator's one transaction: no reader
-- sees the table without a key.
ALTER TABLE "sweep_checkpoints" ADD COLUMN "direction" text DEFAULT 'forward' NOT NULL;--> statement-breakpoint
ALTER TABLE "sweep_checkpoints" DROP CONSTRAINT "sweep_checkpoints_pkey";--> statement-breakpoint
ALTER TABLE "sweep_checkpoints" ADD CONSTRAINT "sweep_checkpoints_collection_direction_pk" PRIMARY KEY("collection","direction");--> statement-breakpoint
ALTER TABLE "sweep_checkpoints" ADD CONSTRAINT "sweep_checkpoints_direction_ck" CHECK ("sweep_checkpoints"."direction" IN ('forward', 'reverse'));

CREATE TYPE "public"."dualwrite_gap_direction" AS ENUM('forward', 'reverse');--> statement-breakpoint
ALTER TYPE "public"."dualwrite_gap_status" ADD VALUE 'dead';--> statement-breakpoint
CREATE TABLE "collection_mode_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"collection" text NOT NULL,
	"from_mode" text NOT NULL,
	"to_mode" text NOT NULL,
	"actor" text NOT NULL,
	"reason" text,
	"forced" boolean DEFAULT false NOT NULL,
	"gates" jsonb,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pg_dualwrite_gaps" ADD COLUMN "id_json" text;--> statement-breakpoint
ALTER TABLE "pg_dualwrite_gaps" ADD COLUMN "direction" "dualwrite_gap_direction" DEFAULT 'forward' NOT NULL;--> statement-breakpoint
CREATE INDEX "collection_mode_changes_collection_idx" ON "collection_mode_changes" USING btree ("collection","changed_at");--> statement-breakpoint
ALTER TABLE "collection_modes" ADD CONSTRAINT "collection_modes_mode_ck" CHECK ("collection_modes"."mode" IN ('mongo', 'dual', 'pg', 'decommissioned'));
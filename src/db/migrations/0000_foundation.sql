CREATE TYPE "public"."dualwrite_gap_op" AS ENUM('upsert', 'delete');--> statement-breakpoint
CREATE TYPE "public"."dualwrite_gap_status" AS ENUM('open', 'resolved');--> statement-breakpoint
CREATE TABLE "id_map" (
	"collection" text NOT NULL,
	"legacy_object_id" text NOT NULL,
	"new_id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pg_dualwrite_gaps" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"collection" text NOT NULL,
	"legacy_object_id" text NOT NULL,
	"op" "dualwrite_gap_op" NOT NULL,
	"status" "dualwrite_gap_status" DEFAULT 'open' NOT NULL,
	"last_error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "id_map_collection_legacy_uq" ON "id_map" USING btree ("collection","legacy_object_id");--> statement-breakpoint
CREATE UNIQUE INDEX "pg_dualwrite_gaps_open_uq" ON "pg_dualwrite_gaps" USING btree ("collection","legacy_object_id") WHERE status = 'open';--> statement-breakpoint
CREATE INDEX "pg_dualwrite_gaps_due_idx" ON "pg_dualwrite_gaps" USING btree ("next_attempt_at") WHERE status = 'open';
CREATE TABLE "shadow_read_counts" (
	"collection" text NOT NULL,
	"read" text NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"compared" integer DEFAULT 0 NOT NULL,
	"mismatched" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shadow_read_mismatches" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"collection" text NOT NULL,
	"read" text NOT NULL,
	"args" jsonb NOT NULL,
	"legacy_object_id" text,
	"fields" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" text DEFAULT 'settling' NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"detail" jsonb,
	CONSTRAINT "shadow_read_mismatches_status_ck" CHECK ("shadow_read_mismatches"."status" IN ('settling', 'confirmed', 'cleared', 'repaired'))
);
--> statement-breakpoint
CREATE TABLE "verification_mismatches" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"result_id" bigint NOT NULL,
	"collection" text NOT NULL,
	"legacy_object_id" text NOT NULL,
	"kind" text NOT NULL,
	"columns" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" text DEFAULT 'settling' NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"detail" jsonb,
	CONSTRAINT "verification_mismatches_kind_ck" CHECK ("verification_mismatches"."kind" IN ('missing', 'extra', 'changed', 'child_rows')),
	CONSTRAINT "verification_mismatches_status_ck" CHECK ("verification_mismatches"."status" IN ('settling', 'confirmed', 'cleared', 'repaired'))
);
--> statement-breakpoint
CREATE TABLE "verification_results" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"collection" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"ranges_planned" integer,
	"ranges_done" integer DEFAULT 0 NOT NULL,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"money" jsonb,
	"mismatches_confirmed" integer DEFAULT 0 NOT NULL,
	"mismatches_settling" integer DEFAULT 0 NOT NULL,
	"repaired" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"error" text,
	CONSTRAINT "verification_results_status_ck" CHECK ("verification_results"."status" IN ('running', 'green', 'red', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "verification_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"collections" text[] NOT NULL,
	"repair" boolean DEFAULT false NOT NULL,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"error" text,
	CONSTRAINT "verification_runs_status_ck" CHECK ("verification_runs"."status" IN ('running', 'green', 'red', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "verification_mismatches" ADD CONSTRAINT "verification_mismatches_result_id_verification_results_id_fk" FOREIGN KEY ("result_id") REFERENCES "public"."verification_results"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_results" ADD CONSTRAINT "verification_results_run_id_verification_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."verification_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "shadow_read_counts_uq" ON "shadow_read_counts" USING btree ("collection","read","minute");--> statement-breakpoint
CREATE INDEX "shadow_read_mismatches_window_idx" ON "shadow_read_mismatches" USING btree ("collection","status","first_seen_at");--> statement-breakpoint
CREATE UNIQUE INDEX "verification_mismatches_result_doc_uq" ON "verification_mismatches" USING btree ("result_id","legacy_object_id");--> statement-breakpoint
CREATE INDEX "verification_mismatches_doc_idx" ON "verification_mismatches" USING btree ("collection","legacy_object_id");--> statement-breakpoint
CREATE UNIQUE INDEX "verification_results_run_collection_uq" ON "verification_results" USING btree ("run_id","collection");--> statement-breakpoint
CREATE INDEX "verification_results_latest_idx" ON "verification_results" USING btree ("collection","finished_at");--> statement-breakpoint
CREATE INDEX "verification_runs_created_idx" ON "verification_runs" USING btree ("created_at");
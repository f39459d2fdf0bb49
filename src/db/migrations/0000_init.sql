CREATE TYPE "public"."dualwrite_gap_op" AS ENUM('upsert', 'delete');--> statement-breakpoint
CREATE TYPE "public"."dualwrite_gap_status" AS ENUM('open', 'resolved');--> statement-breakpoint
CREATE TYPE "public"."user_role" AS ENUM('buyer', 'seller', 'admin');--> statement-breakpoint
CREATE TYPE "public"."user_status" AS ENUM('active', 'suspended', 'deleted');--> statement-breakpoint
CREATE TYPE "public"."backfill_chunk_status" AS ENUM('pending', 'done');--> statement-breakpoint
CREATE TYPE "public"."backfill_collection_status" AS ENUM('parked', 'queued', 'planning', 'copying', 'linking', 'completed', 'failed', 'blocked');--> statement-breakpoint
CREATE TYPE "public"."backfill_run_status" AS ENUM('running', 'completed', 'failed');--> statement-breakpoint
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
CREATE TABLE "level_configs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"legacy_object_id" text NOT NULL,
	"source_updated_at" timestamp with time zone,
	"legacy_extra" jsonb,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"level" integer NOT NULL,
	"name" text,
	"min_points" integer,
	"fee_discount_bps" integer,
	"benefits" text[],
	CONSTRAINT "level_configs_level_uq" UNIQUE("level"),
	CONSTRAINT "level_configs_fee_discount_bps_ck" CHECK ("level_configs"."fee_discount_bps" BETWEEN 0 AND 10000)
);
--> statement-breakpoint
CREATE TABLE "user_passkeys" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"ordinal" integer NOT NULL,
	"credential_id" text,
	"public_key" text,
	"counter" bigint,
	"transports" text[],
	"created_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"legacy_extra" jsonb
);
--> statement-breakpoint
CREATE TABLE "user_refresh_tokens" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"ordinal" integer NOT NULL,
	"token_hash" text,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"user_agent" text,
	"legacy_extra" jsonb
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY NOT NULL,
	"legacy_object_id" text NOT NULL,
	"source_updated_at" timestamp with time zone,
	"legacy_extra" jsonb,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"email" text,
	"password" text,
	"role" "user_role" DEFAULT 'buyer' NOT NULL,
	"status" "user_status" DEFAULT 'active' NOT NULL,
	"profile_first_name" text,
	"profile_last_name" text,
	"profile_display_name" text,
	"profile_avatar_url" text,
	"profile_bio" text,
	"profile_country" text,
	"pref_language" text,
	"pref_currency" text,
	"pref_notify_email" boolean,
	"pref_notify_telegram" boolean,
	"points" integer,
	"level" integer,
	"referral_code" text,
	"referred_by_id" uuid,
	"referral_total_referred" integer,
	"referral_total_earned_points" integer,
	"email_verified" boolean,
	"email_verification_token" text,
	"email_verification_expires" timestamp with time zone,
	"telegram_id" text,
	"last_login_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "addresses" (
	"id" uuid PRIMARY KEY NOT NULL,
	"legacy_object_id" text NOT NULL,
	"source_updated_at" timestamp with time zone,
	"legacy_extra" jsonb,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"user_id" uuid NOT NULL,
	"label" text,
	"full_name" text,
	"phone" text,
	"line1" text,
	"line2" text,
	"city" text,
	"region" text,
	"postal_code" text,
	"country" text,
	"primary" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "categories" (
	"id" uuid PRIMARY KEY NOT NULL,
	"legacy_object_id" text NOT NULL,
	"source_updated_at" timestamp with time zone,
	"legacy_extra" jsonb,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"name" text NOT NULL,
	"name_en" text,
	"slug" text,
	"parent_id" uuid,
	"is_active" boolean DEFAULT true NOT NULL,
	"sort_order" integer,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "config_setting_histories" (
	"id" uuid PRIMARY KEY NOT NULL,
	"legacy_object_id" text NOT NULL,
	"source_updated_at" timestamp with time zone,
	"legacy_extra" jsonb,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"setting_id" uuid NOT NULL,
	"key" text,
	"old_value" jsonb,
	"new_value" jsonb,
	"changed_by_id" uuid,
	"changed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "config_settings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"legacy_object_id" text NOT NULL,
	"source_updated_at" timestamp with time zone,
	"legacy_extra" jsonb,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"key" text NOT NULL,
	"value" jsonb,
	"description" text,
	"updated_by_id" uuid
);
--> statement-breakpoint
CREATE TABLE "shop_settings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"legacy_object_id" text NOT NULL,
	"source_updated_at" timestamp with time zone,
	"legacy_extra" jsonb,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"seller_id" uuid NOT NULL,
	"shop_name" text,
	"description" text,
	"logo_url" text,
	"is_open" boolean,
	"auto_accept_offers" boolean,
	"payout_address" text
);
--> statement-breakpoint
CREATE TABLE "backfill_chunks" (
	"run_id" uuid NOT NULL,
	"collection" text NOT NULL,
	"chunk_no" integer NOT NULL,
	"id_type" text NOT NULL,
	"lo" text,
	"hi" text,
	"status" "backfill_chunk_status" DEFAULT 'pending' NOT NULL,
	"docs_read" integer DEFAULT 0 NOT NULL,
	"docs_written" integer DEFAULT 0 NOT NULL,
	"docs_rejected" integer DEFAULT 0 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"duration_ms" integer,
	"worker" text,
	CONSTRAINT "backfill_chunks_run_id_collection_chunk_no_pk" PRIMARY KEY("run_id","collection","chunk_no")
);
--> statement-breakpoint
CREATE TABLE "backfill_run_collections" (
	"run_id" uuid NOT NULL,
	"collection" text NOT NULL,
	"status" "backfill_collection_status" NOT NULL,
	"waiting_on" integer NOT NULL,
	"chunks_planned" integer,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"error" text,
	CONSTRAINT "backfill_run_collections_run_id_collection_pk" PRIMARY KEY("run_id","collection")
);
--> statement-breakpoint
CREATE TABLE "backfill_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"status" "backfill_run_status" DEFAULT 'running' NOT NULL,
	"collections" text[] NOT NULL,
	"since" timestamp with time zone,
	"chunk_size" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "collection_modes" (
	"collection" text PRIMARY KEY NOT NULL,
	"mode" text DEFAULT 'mongo' NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"docs_seen" bigint
);
--> statement-breakpoint
CREATE TABLE "migration_anomalies" (
	"collection" text NOT NULL,
	"legacy_object_id" text NOT NULL,
	"code" text NOT NULL,
	"field" text NOT NULL,
	"message" text NOT NULL,
	"run_id" uuid,
	"seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "migration_anomalies_collection_legacy_object_id_code_field_pk" PRIMARY KEY("collection","legacy_object_id","code","field")
);
--> statement-breakpoint
CREATE TABLE "migration_rejects" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" uuid,
	"collection" text NOT NULL,
	"legacy_object_id" text NOT NULL,
	"reason" text NOT NULL,
	"field" text,
	"message" text NOT NULL,
	"raw" jsonb NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "pending_links" (
	"collection" text NOT NULL,
	"legacy_object_id" text NOT NULL,
	"column_name" text NOT NULL,
	"parent_collection" text NOT NULL,
	"parent_legacy_id" text NOT NULL,
	CONSTRAINT "pending_links_collection_legacy_object_id_column_name_parent_legacy_id_pk" PRIMARY KEY("collection","legacy_object_id","column_name","parent_legacy_id")
);
--> statement-breakpoint
CREATE TABLE "audit_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"collections" text[] NOT NULL,
	"seconds" double precision NOT NULL,
	"report" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "user_passkeys" ADD CONSTRAINT "user_passkeys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_refresh_tokens" ADD CONSTRAINT "user_refresh_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_level_level_configs_level_fk" FOREIGN KEY ("level") REFERENCES "public"."level_configs"("level") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_referred_by_id_users_id_fk" FOREIGN KEY ("referred_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "addresses" ADD CONSTRAINT "addresses_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "categories" ADD CONSTRAINT "categories_parent_id_categories_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."categories"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "config_setting_histories" ADD CONSTRAINT "config_setting_histories_setting_id_config_settings_id_fk" FOREIGN KEY ("setting_id") REFERENCES "public"."config_settings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "config_setting_histories" ADD CONSTRAINT "config_setting_histories_changed_by_id_users_id_fk" FOREIGN KEY ("changed_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "config_settings" ADD CONSTRAINT "config_settings_updated_by_id_users_id_fk" FOREIGN KEY ("updated_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shop_settings" ADD CONSTRAINT "shop_settings_seller_id_users_id_fk" FOREIGN KEY ("seller_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "backfill_chunks" ADD CONSTRAINT "backfill_chunks_run_id_backfill_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."backfill_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "backfill_run_collections" ADD CONSTRAINT "backfill_run_collections_run_id_backfill_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."backfill_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "id_map_collection_legacy_uq" ON "id_map" USING btree ("collection","legacy_object_id");--> statement-breakpoint
CREATE UNIQUE INDEX "pg_dualwrite_gaps_open_uq" ON "pg_dualwrite_gaps" USING btree ("collection","legacy_object_id") WHERE status = 'open';--> statement-breakpoint
CREATE INDEX "pg_dualwrite_gaps_due_idx" ON "pg_dualwrite_gaps" USING btree ("next_attempt_at") WHERE status = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX "level_configs_legacy_object_id_uq" ON "level_configs" USING btree ("legacy_object_id");--> statement-breakpoint
CREATE UNIQUE INDEX "user_passkeys_user_ordinal_uq" ON "user_passkeys" USING btree ("user_id","ordinal");--> statement-breakpoint
CREATE INDEX "user_passkeys_credential_idx" ON "user_passkeys" USING btree ("credential_id");--> statement-breakpoint
CREATE UNIQUE INDEX "user_refresh_tokens_user_ordinal_uq" ON "user_refresh_tokens" USING btree ("user_id","ordinal");--> statement-breakpoint
CREATE INDEX "user_refresh_tokens_token_hash_idx" ON "user_refresh_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "users_legacy_object_id_uq" ON "users" USING btree ("legacy_object_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_uq" ON "users" USING btree ("email") WHERE email IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "users_referral_uq" ON "users" USING btree ("referral_code") WHERE referral_code IS NOT NULL;--> statement-breakpoint
CREATE INDEX "users_referred_by_idx" ON "users" USING btree ("referred_by_id");--> statement-breakpoint
CREATE INDEX "users_level_idx" ON "users" USING btree ("level");--> statement-breakpoint
CREATE UNIQUE INDEX "addresses_legacy_object_id_uq" ON "addresses" USING btree ("legacy_object_id");--> statement-breakpoint
CREATE INDEX "addresses_user_idx" ON "addresses" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "addresses_one_primary_per_user_uq" ON "addresses" USING btree ("user_id") WHERE "primary" = true;--> statement-breakpoint
CREATE UNIQUE INDEX "categories_legacy_object_id_uq" ON "categories" USING btree ("legacy_object_id");--> statement-breakpoint
CREATE UNIQUE INDEX "categories_slug_uq" ON "categories" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "categories_parent_idx" ON "categories" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "categories_active_idx" ON "categories" USING btree ("is_active");--> statement-breakpoint
CREATE UNIQUE INDEX "config_setting_histories_legacy_object_id_uq" ON "config_setting_histories" USING btree ("legacy_object_id");--> statement-breakpoint
CREATE INDEX "config_setting_histories_setting_idx" ON "config_setting_histories" USING btree ("setting_id","changed_at");--> statement-breakpoint
CREATE INDEX "config_setting_histories_changed_by_idx" ON "config_setting_histories" USING btree ("changed_by_id");--> statement-breakpoint
CREATE UNIQUE INDEX "config_settings_legacy_object_id_uq" ON "config_settings" USING btree ("legacy_object_id");--> statement-breakpoint
CREATE UNIQUE INDEX "config_settings_key_uq" ON "config_settings" USING btree ("key");--> statement-breakpoint
CREATE INDEX "config_settings_updated_by_idx" ON "config_settings" USING btree ("updated_by_id");--> statement-breakpoint
CREATE UNIQUE INDEX "shop_settings_legacy_object_id_uq" ON "shop_settings" USING btree ("legacy_object_id");--> statement-breakpoint
CREATE UNIQUE INDEX "shop_settings_seller_uq" ON "shop_settings" USING btree ("seller_id");--> statement-breakpoint
CREATE UNIQUE INDEX "migration_rejects_open_uq" ON "migration_rejects" USING btree ("collection","legacy_object_id") WHERE resolved_at IS NULL;--> statement-breakpoint
CREATE INDEX "migration_rejects_reason_idx" ON "migration_rejects" USING btree ("collection","reason");
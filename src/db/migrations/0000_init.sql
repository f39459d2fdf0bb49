CREATE TYPE "public"."dualwrite_gap_op" AS ENUM('upsert', 'delete');--> statement-breakpoint
CREATE TYPE "public"."dualwrite_gap_status" AS ENUM('open', 'resolved');--> statement-breakpoint
CREATE TYPE "public"."user_role" AS ENUM('buyer', 'seller', 'admin');--> statement-breakpoint
CREATE TYPE "public"."user_status" AS ENUM('active', 'suspended', 'deleted');--> statement-breakpoint
CREATE TYPE "public"."budget_currency" AS ENUM('USDT', 'USDC', 'USD', 'EUR');--> statement-breakpoint
CREATE TYPE "public"."delivery_method" AS ENUM('shipping', 'pickup', 'digital');--> statement-breakpoint
CREATE TYPE "public"."purchase_request_status" AS ENUM('draft', 'open', 'in_progress', 'awaiting_delivery', 'delivered', 'completed', 'disputed', 'cancelled', 'expired');--> statement-breakpoint
CREATE TYPE "public"."seller_offer_status" AS ENUM('pending', 'accepted', 'rejected', 'withdrawn', 'expired');--> statement-breakpoint
CREATE TYPE "public"."ref_kind" AS ENUM('entity', 'template', 'external', 'dangling', 'none');--> statement-breakpoint
CREATE TYPE "public"."escrow_state" AS ENUM('funded', 'releasable', 'released', 'refunded', 'releasing', 'failed', 'cancelled', 'partial');--> statement-breakpoint
CREATE TYPE "public"."payment_direction" AS ENUM('in', 'out', 'refund');--> statement-breakpoint
CREATE TYPE "public"."payment_provider" AS ENUM('request.network', 'amn.scanner', 'shkeeper', 'other');--> statement-breakpoint
CREATE TYPE "public"."payment_status" AS ENUM('pending', 'processing', 'completed', 'failed', 'cancelled', 'refunded', 'expired');--> statement-breakpoint
CREATE TYPE "public"."funds_ledger_entry_type" AS ENUM('escrow_hold', 'escrow_release', 'refund', 'aml_fee', 'platform_fee', 'payout', 'adjustment');--> statement-breakpoint
CREATE TYPE "public"."derived_destination_status" AS ENUM('active', 'swept', 'sweeping', 'quarantined');--> statement-breakpoint
CREATE TYPE "public"."destination_chain" AS ENUM('ethereum', 'tron', 'bsc', 'polygon');--> statement-breakpoint
CREATE TYPE "public"."point_reference_kind" AS ENUM('id', 'string', 'none');--> statement-breakpoint
CREATE TYPE "public"."point_transaction_type" AS ENUM('earn', 'spend', 'referral_bonus', 'adjustment', 'expire');--> statement-breakpoint
CREATE TYPE "public"."dispute_evidence_type" AS ENUM('image', 'document', 'link', 'text');--> statement-breakpoint
CREATE TYPE "public"."dispute_reason" AS ENUM('not_delivered', 'not_as_described', 'damaged', 'fraud', 'other');--> statement-breakpoint
CREATE TYPE "public"."dispute_status" AS ENUM('open', 'under_review', 'awaiting_evidence', 'resolved_buyer', 'resolved_seller', 'cancelled');--> statement-breakpoint
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
CREATE TABLE "pr_delivery_info" (
	"purchase_request_id" uuid PRIMARY KEY NOT NULL,
	"method" "delivery_method",
	"address_id" uuid,
	"carrier" text,
	"tracking_number" text,
	"shipped_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"notes" text
);
--> statement-breakpoint
CREATE TABLE "pr_preferred_sellers" (
	"purchase_request_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"ordinal" integer NOT NULL,
	CONSTRAINT "pr_preferred_sellers_pk" PRIMARY KEY("purchase_request_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "pr_service_info" (
	"purchase_request_id" uuid PRIMARY KEY NOT NULL,
	"scheduled_at" timestamp with time zone,
	"duration_minutes" integer,
	"location" text,
	"remote" boolean
);
--> statement-breakpoint
CREATE TABLE "purchase_request_offers" (
	"purchase_request_id" uuid NOT NULL,
	"seller_offer_id" uuid NOT NULL,
	CONSTRAINT "purchase_request_offers_pk" PRIMARY KEY("purchase_request_id","seller_offer_id")
);
--> statement-breakpoint
CREATE TABLE "purchase_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"legacy_object_id" text NOT NULL,
	"source_updated_at" timestamp with time zone,
	"legacy_extra" jsonb,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"buyer_id" uuid NOT NULL,
	"title" text,
	"description" text,
	"category_id" uuid,
	"quantity" integer,
	"budget_amount" numeric(38, 18),
	"budget_currency" "budget_currency",
	"status" "purchase_request_status",
	"accepted_offer_id" uuid,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "seller_offers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"legacy_object_id" text NOT NULL,
	"source_updated_at" timestamp with time zone,
	"legacy_extra" jsonb,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"purchase_request_id" uuid NOT NULL,
	"seller_id" uuid NOT NULL,
	"price_amount" numeric(38, 18),
	"price_currency" text,
	"message" text,
	"delivery_days" integer,
	"status" "seller_offer_status"
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"legacy_object_id" text NOT NULL,
	"source_updated_at" timestamp with time zone,
	"legacy_extra" jsonb,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"purchase_request_id" uuid,
	"purchase_request_external_ref" text,
	"purchase_request_ref_kind" "ref_kind" NOT NULL,
	"seller_offer_id" uuid,
	"seller_offer_external_ref" text,
	"seller_offer_ref_kind" "ref_kind" NOT NULL,
	"buyer_id" uuid NOT NULL,
	"seller_id" uuid,
	"seller_external_ref" text,
	"seller_ref_kind" "ref_kind" NOT NULL,
	"amount" numeric(38, 18) NOT NULL,
	"currency" text DEFAULT 'USDT' NOT NULL,
	"provider" "payment_provider" DEFAULT 'request.network' NOT NULL,
	"direction" "payment_direction" DEFAULT 'in' NOT NULL,
	"status" "payment_status" DEFAULT 'pending' NOT NULL,
	"escrow_state" "escrow_state",
	"provider_payment_id" text,
	"blockchain" jsonb,
	"metadata" jsonb,
	"is_refunded" boolean,
	"completed_at" timestamp with time zone,
	CONSTRAINT "payments_purchase_request_ref_ck" CHECK (("payments"."purchase_request_ref_kind" = 'entity' AND "payments"."purchase_request_id" IS NOT NULL AND "payments"."purchase_request_external_ref" IS NULL)
      OR ("payments"."purchase_request_ref_kind" IN ('template', 'external', 'dangling') AND "payments"."purchase_request_id" IS NULL AND "payments"."purchase_request_external_ref" IS NOT NULL AND "payments"."purchase_request_external_ref" <> '')
      OR ("payments"."purchase_request_ref_kind" = 'none' AND "payments"."purchase_request_id" IS NULL AND "payments"."purchase_request_external_ref" IS NULL)),
	CONSTRAINT "payments_seller_offer_ref_ck" CHECK (("payments"."seller_offer_ref_kind" = 'entity' AND "payments"."seller_offer_id" IS NOT NULL AND "payments"."seller_offer_external_ref" IS NULL)
      OR ("payments"."seller_offer_ref_kind" IN ('template', 'external', 'dangling') AND "payments"."seller_offer_id" IS NULL AND "payments"."seller_offer_external_ref" IS NOT NULL AND "payments"."seller_offer_external_ref" <> '')
      OR ("payments"."seller_offer_ref_kind" = 'none' AND "payments"."seller_offer_id" IS NULL AND "payments"."seller_offer_external_ref" IS NULL)),
	CONSTRAINT "payments_seller_ref_ck" CHECK (("payments"."seller_ref_kind" = 'entity' AND "payments"."seller_id" IS NOT NULL AND "payments"."seller_external_ref" IS NULL)
      OR ("payments"."seller_ref_kind" IN ('template', 'external', 'dangling') AND "payments"."seller_id" IS NULL AND "payments"."seller_external_ref" IS NOT NULL AND "payments"."seller_external_ref" <> '')
      OR ("payments"."seller_ref_kind" = 'none' AND "payments"."seller_id" IS NULL AND "payments"."seller_external_ref" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "funds_ledger_entries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"legacy_object_id" text NOT NULL,
	"source_updated_at" timestamp with time zone,
	"legacy_extra" jsonb,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"purchase_request_id" uuid,
	"purchase_request_external_ref" text,
	"purchase_request_ref_kind" "ref_kind" NOT NULL,
	"payment_id" uuid,
	"payment_external_ref" text,
	"payment_ref_kind" "ref_kind" NOT NULL,
	"user_id" uuid NOT NULL,
	"type" "funds_ledger_entry_type",
	"amount" numeric(38, 18) NOT NULL,
	"currency" text,
	"idempotency_key" text,
	"description" text,
	"metadata" jsonb,
	CONSTRAINT "funds_ledger_entries_purchase_request_ref_ck" CHECK (("funds_ledger_entries"."purchase_request_ref_kind" = 'entity' AND "funds_ledger_entries"."purchase_request_id" IS NOT NULL AND "funds_ledger_entries"."purchase_request_external_ref" IS NULL)
      OR ("funds_ledger_entries"."purchase_request_ref_kind" IN ('template', 'external', 'dangling') AND "funds_ledger_entries"."purchase_request_id" IS NULL AND "funds_ledger_entries"."purchase_request_external_ref" IS NOT NULL AND "funds_ledger_entries"."purchase_request_external_ref" <> '')
      OR ("funds_ledger_entries"."purchase_request_ref_kind" = 'none' AND "funds_ledger_entries"."purchase_request_id" IS NULL AND "funds_ledger_entries"."purchase_request_external_ref" IS NULL)),
	CONSTRAINT "funds_ledger_entries_payment_ref_ck" CHECK (("funds_ledger_entries"."payment_ref_kind" = 'entity' AND "funds_ledger_entries"."payment_id" IS NOT NULL AND "funds_ledger_entries"."payment_external_ref" IS NULL)
      OR ("funds_ledger_entries"."payment_ref_kind" IN ('template', 'external', 'dangling') AND "funds_ledger_entries"."payment_id" IS NULL AND "funds_ledger_entries"."payment_external_ref" IS NOT NULL AND "funds_ledger_entries"."payment_external_ref" <> '')
      OR ("funds_ledger_entries"."payment_ref_kind" = 'none' AND "funds_ledger_entries"."payment_id" IS NULL AND "funds_ledger_entries"."payment_external_ref" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "derivation_counters" (
	"buyer_id" uuid NOT NULL,
	"chain" "destination_chain" NOT NULL,
	"next_index" integer NOT NULL,
	CONSTRAINT "derivation_counters_pk" PRIMARY KEY("buyer_id","chain")
);
--> statement-breakpoint
CREATE TABLE "derived_destination_sweeps" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"destination_id" uuid NOT NULL,
	"ordinal" integer NOT NULL,
	"tx_hash" text,
	"amount" numeric(38, 18),
	"swept_at" timestamp with time zone,
	"status" text,
	"legacy_extra" jsonb
);
--> statement-breakpoint
CREATE TABLE "derived_destinations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"legacy_object_id" text NOT NULL,
	"source_updated_at" timestamp with time zone,
	"legacy_extra" jsonb,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"buyer_id" uuid NOT NULL,
	"seller_id" uuid,
	"seller_external_ref" text,
	"seller_ref_kind" "ref_kind" NOT NULL,
	"chain" "destination_chain" NOT NULL,
	"derivation_index" integer NOT NULL,
	"address" text,
	"payment_id" uuid,
	"payment_external_ref" text,
	"payment_ref_kind" "ref_kind" NOT NULL,
	"status" "derived_destination_status",
	CONSTRAINT "uniq_destination_by_buyer_seller_chain" UNIQUE NULLS NOT DISTINCT("buyer_id","seller_id","seller_external_ref","chain"),
	CONSTRAINT "derived_destinations_seller_ref_ck" CHECK (("derived_destinations"."seller_ref_kind" = 'entity' AND "derived_destinations"."seller_id" IS NOT NULL AND "derived_destinations"."seller_external_ref" IS NULL)
      OR ("derived_destinations"."seller_ref_kind" IN ('template', 'external', 'dangling') AND "derived_destinations"."seller_id" IS NULL AND "derived_destinations"."seller_external_ref" IS NOT NULL AND "derived_destinations"."seller_external_ref" <> '')
      OR ("derived_destinations"."seller_ref_kind" = 'none' AND "derived_destinations"."seller_id" IS NULL AND "derived_destinations"."seller_external_ref" IS NULL)),
	CONSTRAINT "derived_destinations_payment_ref_ck" CHECK (("derived_destinations"."payment_ref_kind" = 'entity' AND "derived_destinations"."payment_id" IS NOT NULL AND "derived_destinations"."payment_external_ref" IS NULL)
      OR ("derived_destinations"."payment_ref_kind" IN ('template', 'external', 'dangling') AND "derived_destinations"."payment_id" IS NULL AND "derived_destinations"."payment_external_ref" IS NOT NULL AND "derived_destinations"."payment_external_ref" <> '')
      OR ("derived_destinations"."payment_ref_kind" = 'none' AND "derived_destinations"."payment_id" IS NULL AND "derived_destinations"."payment_external_ref" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "trezor_account_addresses" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL,
	"ordinal" integer NOT NULL,
	"index" integer,
	"address" text,
	"destination_id" uuid,
	"created_at" timestamp with time zone,
	"legacy_extra" jsonb
);
--> statement-breakpoint
CREATE TABLE "trezor_accounts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"legacy_object_id" text NOT NULL,
	"source_updated_at" timestamp with time zone,
	"legacy_extra" jsonb,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"label" text,
	"chain" text,
	"xpub" text,
	"derivation_path" text,
	"next_index" integer
);
--> statement-breakpoint
CREATE TABLE "point_transactions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"legacy_object_id" text NOT NULL,
	"source_updated_at" timestamp with time zone,
	"legacy_extra" jsonb,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"user_id" uuid NOT NULL,
	"type" "point_transaction_type",
	"points" integer NOT NULL,
	"balance_after" integer,
	"reference_type" text,
	"reference_kind" "point_reference_kind" NOT NULL,
	"reference_external_ref" text,
	"metadata" jsonb,
	CONSTRAINT "point_transactions_reference_ck" CHECK (("point_transactions"."reference_kind" = 'none' AND "point_transactions"."reference_external_ref" IS NULL)
        OR ("point_transactions"."reference_kind" <> 'none' AND "point_transactions"."reference_external_ref" IS NOT NULL AND "point_transactions"."reference_external_ref" <> ''))
);
--> statement-breakpoint
CREATE TABLE "reviews" (
	"id" uuid PRIMARY KEY NOT NULL,
	"legacy_object_id" text NOT NULL,
	"source_updated_at" timestamp with time zone,
	"legacy_extra" jsonb,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"reviewer_id" uuid NOT NULL,
	"reviewee_id" uuid NOT NULL,
	"purchase_request_id" uuid,
	"rating" integer,
	"comment" text,
	CONSTRAINT "reviews_rating_ck" CHECK ("reviews"."rating" BETWEEN 1 AND 5)
);
--> statement-breakpoint
CREATE TABLE "dispute_evidence" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dispute_id" uuid NOT NULL,
	"ordinal" integer NOT NULL,
	"uploaded_by_id" uuid,
	"type" "dispute_evidence_type",
	"url" text,
	"description" text,
	"created_at" timestamp with time zone,
	"legacy_extra" jsonb
);
--> statement-breakpoint
CREATE TABLE "dispute_timeline" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dispute_id" uuid NOT NULL,
	"ordinal" integer NOT NULL,
	"at" timestamp with time zone,
	"actor_id" uuid,
	"action" text,
	"from_status" text,
	"to_status" text,
	"note" text,
	"legacy_extra" jsonb
);
--> statement-breakpoint
CREATE TABLE "disputes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"legacy_object_id" text NOT NULL,
	"source_updated_at" timestamp with time zone,
	"legacy_extra" jsonb,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"purchase_request_id" uuid NOT NULL,
	"payment_id" uuid,
	"opened_by_id" uuid NOT NULL,
	"against_user_id" uuid NOT NULL,
	"reason" "dispute_reason",
	"status" "dispute_status",
	"chat_id" text,
	"resolution_outcome" text,
	"resolution_refund_amount" numeric(38, 18),
	"resolution_resolved_by_id" uuid,
	"resolution_resolved_at" timestamp with time zone,
	"resolution_notes" text,
	"release_hold" boolean
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
ALTER TABLE "pr_delivery_info" ADD CONSTRAINT "pr_delivery_info_purchase_request_id_purchase_requests_id_fk" FOREIGN KEY ("purchase_request_id") REFERENCES "public"."purchase_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pr_delivery_info" ADD CONSTRAINT "pr_delivery_info_address_id_addresses_id_fk" FOREIGN KEY ("address_id") REFERENCES "public"."addresses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pr_preferred_sellers" ADD CONSTRAINT "pr_preferred_sellers_purchase_request_id_purchase_requests_id_fk" FOREIGN KEY ("purchase_request_id") REFERENCES "public"."purchase_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pr_preferred_sellers" ADD CONSTRAINT "pr_preferred_sellers_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pr_service_info" ADD CONSTRAINT "pr_service_info_purchase_request_id_purchase_requests_id_fk" FOREIGN KEY ("purchase_request_id") REFERENCES "public"."purchase_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "purchase_request_offers" ADD CONSTRAINT "purchase_request_offers_purchase_request_id_purchase_requests_id_fk" FOREIGN KEY ("purchase_request_id") REFERENCES "public"."purchase_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "purchase_request_offers" ADD CONSTRAINT "purchase_request_offers_seller_offer_id_seller_offers_id_fk" FOREIGN KEY ("seller_offer_id") REFERENCES "public"."seller_offers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "purchase_requests" ADD CONSTRAINT "purchase_requests_buyer_id_users_id_fk" FOREIGN KEY ("buyer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "purchase_requests" ADD CONSTRAINT "purchase_requests_category_id_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "purchase_requests" ADD CONSTRAINT "purchase_requests_accepted_offer_id_seller_offers_id_fk" FOREIGN KEY ("accepted_offer_id") REFERENCES "public"."seller_offers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seller_offers" ADD CONSTRAINT "seller_offers_purchase_request_id_purchase_requests_id_fk" FOREIGN KEY ("purchase_request_id") REFERENCES "public"."purchase_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seller_offers" ADD CONSTRAINT "seller_offers_seller_id_users_id_fk" FOREIGN KEY ("seller_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_purchase_request_id_purchase_requests_id_fk" FOREIGN KEY ("purchase_request_id") REFERENCES "public"."purchase_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_seller_offer_id_seller_offers_id_fk" FOREIGN KEY ("seller_offer_id") REFERENCES "public"."seller_offers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_buyer_id_users_id_fk" FOREIGN KEY ("buyer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_seller_id_users_id_fk" FOREIGN KEY ("seller_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "funds_ledger_entries" ADD CONSTRAINT "funds_ledger_entries_purchase_request_id_purchase_requests_id_fk" FOREIGN KEY ("purchase_request_id") REFERENCES "public"."purchase_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "funds_ledger_entries" ADD CONSTRAINT "funds_ledger_entries_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "funds_ledger_entries" ADD CONSTRAINT "funds_ledger_entries_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "derivation_counters" ADD CONSTRAINT "derivation_counters_buyer_id_users_id_fk" FOREIGN KEY ("buyer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "derived_destination_sweeps" ADD CONSTRAINT "derived_destination_sweeps_destination_id_derived_destinations_id_fk" FOREIGN KEY ("destination_id") REFERENCES "public"."derived_destinations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "derived_destinations" ADD CONSTRAINT "derived_destinations_buyer_id_users_id_fk" FOREIGN KEY ("buyer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "derived_destinations" ADD CONSTRAINT "derived_destinations_seller_id_users_id_fk" FOREIGN KEY ("seller_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "derived_destinations" ADD CONSTRAINT "derived_destinations_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trezor_account_addresses" ADD CONSTRAINT "trezor_account_addresses_account_id_trezor_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."trezor_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trezor_account_addresses" ADD CONSTRAINT "trezor_account_addresses_destination_id_derived_destinations_id_fk" FOREIGN KEY ("destination_id") REFERENCES "public"."derived_destinations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "point_transactions" ADD CONSTRAINT "point_transactions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_reviewer_id_users_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_reviewee_id_users_id_fk" FOREIGN KEY ("reviewee_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_purchase_request_id_purchase_requests_id_fk" FOREIGN KEY ("purchase_request_id") REFERENCES "public"."purchase_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispute_evidence" ADD CONSTRAINT "dispute_evidence_dispute_id_disputes_id_fk" FOREIGN KEY ("dispute_id") REFERENCES "public"."disputes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispute_evidence" ADD CONSTRAINT "dispute_evidence_uploaded_by_id_users_id_fk" FOREIGN KEY ("uploaded_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispute_timeline" ADD CONSTRAINT "dispute_timeline_dispute_id_disputes_id_fk" FOREIGN KEY ("dispute_id") REFERENCES "public"."disputes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispute_timeline" ADD CONSTRAINT "dispute_timeline_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_purchase_request_id_purchase_requests_id_fk" FOREIGN KEY ("purchase_request_id") REFERENCES "public"."purchase_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_opened_by_id_users_id_fk" FOREIGN KEY ("opened_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_against_user_id_users_id_fk" FOREIGN KEY ("against_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_resolution_resolved_by_id_users_id_fk" FOREIGN KEY ("resolution_resolved_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
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
CREATE INDEX "pr_delivery_info_address_idx" ON "pr_delivery_info" USING btree ("address_id");--> statement-breakpoint
CREATE INDEX "pr_delivery_info_tracking_idx" ON "pr_delivery_info" USING btree ("tracking_number");--> statement-breakpoint
CREATE INDEX "pr_preferred_sellers_user_idx" ON "pr_preferred_sellers" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "purchase_request_offers_offer_idx" ON "purchase_request_offers" USING btree ("seller_offer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "purchase_requests_legacy_object_id_uq" ON "purchase_requests" USING btree ("legacy_object_id");--> statement-breakpoint
CREATE INDEX "purchase_requests_buyer_idx" ON "purchase_requests" USING btree ("buyer_id");--> statement-breakpoint
CREATE INDEX "purchase_requests_category_idx" ON "purchase_requests" USING btree ("category_id");--> statement-breakpoint
CREATE INDEX "purchase_requests_accepted_offer_idx" ON "purchase_requests" USING btree ("accepted_offer_id");--> statement-breakpoint
CREATE INDEX "purchase_requests_status_idx" ON "purchase_requests" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "seller_offers_legacy_object_id_uq" ON "seller_offers" USING btree ("legacy_object_id");--> statement-breakpoint
CREATE INDEX "seller_offers_purchase_request_idx" ON "seller_offers" USING btree ("purchase_request_id");--> statement-breakpoint
CREATE INDEX "seller_offers_seller_idx" ON "seller_offers" USING btree ("seller_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_legacy_object_id_uq" ON "payments" USING btree ("legacy_object_id");--> statement-breakpoint
CREATE INDEX "payments_status_created_idx" ON "payments" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "payments_buyer_status_idx" ON "payments" USING btree ("buyer_id","status");--> statement-breakpoint
CREATE INDEX "payments_seller_status_idx" ON "payments" USING btree ("seller_id","status");--> statement-breakpoint
CREATE INDEX "payments_provider_payment_id_idx" ON "payments" USING btree ("provider_payment_id");--> statement-breakpoint
CREATE INDEX "payments_purchase_request_idx" ON "payments" USING btree ("purchase_request_id");--> statement-breakpoint
CREATE INDEX "payments_seller_offer_idx" ON "payments" USING btree ("seller_offer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "uniq_pending_request_network_by_buyer_session_offer" ON "payments" USING btree ("buyer_id",coalesce(purchase_request_id, '00000000-0000-0000-0000-000000000000'::uuid),coalesce(purchase_request_external_ref, ''),coalesce(seller_offer_id, '00000000-0000-0000-0000-000000000000'::uuid),coalesce(seller_offer_external_ref, ''),"provider","direction") WHERE provider = 'request.network' AND direction = 'in' AND status = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "funds_ledger_entries_legacy_object_id_uq" ON "funds_ledger_entries" USING btree ("legacy_object_id");--> statement-breakpoint
CREATE UNIQUE INDEX "funds_ledger_entries_idempotency_key_uq" ON "funds_ledger_entries" USING btree ("idempotency_key") WHERE idempotency_key IS NOT NULL;--> statement-breakpoint
CREATE INDEX "funds_ledger_entries_user_idx" ON "funds_ledger_entries" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "funds_ledger_entries_purchase_request_idx" ON "funds_ledger_entries" USING btree ("purchase_request_id");--> statement-breakpoint
CREATE INDEX "funds_ledger_entries_payment_idx" ON "funds_ledger_entries" USING btree ("payment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "derived_destination_sweeps_destination_ordinal_uq" ON "derived_destination_sweeps" USING btree ("destination_id","ordinal");--> statement-breakpoint
CREATE INDEX "derived_destination_sweeps_tx_hash_idx" ON "derived_destination_sweeps" USING btree ("tx_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "derived_destinations_legacy_object_id_uq" ON "derived_destinations" USING btree ("legacy_object_id");--> statement-breakpoint
CREATE UNIQUE INDEX "derived_destinations_address_uq" ON "derived_destinations" USING btree ("address");--> statement-breakpoint
CREATE INDEX "derived_destinations_seller_idx" ON "derived_destinations" USING btree ("seller_id");--> statement-breakpoint
CREATE INDEX "derived_destinations_payment_idx" ON "derived_destinations" USING btree ("payment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "trezor_account_addresses_account_ordinal_uq" ON "trezor_account_addresses" USING btree ("account_id","ordinal");--> statement-breakpoint
CREATE INDEX "trezor_account_addresses_address_idx" ON "trezor_account_addresses" USING btree ("address");--> statement-breakpoint
CREATE INDEX "trezor_account_addresses_destination_idx" ON "trezor_account_addresses" USING btree ("destination_id");--> statement-breakpoint
CREATE UNIQUE INDEX "trezor_accounts_legacy_object_id_uq" ON "trezor_accounts" USING btree ("legacy_object_id");--> statement-breakpoint
CREATE UNIQUE INDEX "trezor_accounts_xpub_uq" ON "trezor_accounts" USING btree ("xpub");--> statement-breakpoint
CREATE UNIQUE INDEX "point_transactions_legacy_object_id_uq" ON "point_transactions" USING btree ("legacy_object_id");--> statement-breakpoint
CREATE INDEX "point_transactions_user_idx" ON "point_transactions" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "point_transactions_reference_idx" ON "point_transactions" USING btree ("reference_type","reference_external_ref");--> statement-breakpoint
CREATE UNIQUE INDEX "reviews_legacy_object_id_uq" ON "reviews" USING btree ("legacy_object_id");--> statement-breakpoint
CREATE INDEX "reviews_reviewer_idx" ON "reviews" USING btree ("reviewer_id");--> statement-breakpoint
CREATE INDEX "reviews_reviewee_idx" ON "reviews" USING btree ("reviewee_id");--> statement-breakpoint
CREATE INDEX "reviews_purchase_request_idx" ON "reviews" USING btree ("purchase_request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dispute_evidence_dispute_ordinal_uq" ON "dispute_evidence" USING btree ("dispute_id","ordinal");--> statement-breakpoint
CREATE INDEX "dispute_evidence_uploaded_by_idx" ON "dispute_evidence" USING btree ("uploaded_by_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dispute_timeline_dispute_ordinal_uq" ON "dispute_timeline" USING btree ("dispute_id","ordinal");--> statement-breakpoint
CREATE INDEX "dispute_timeline_actor_idx" ON "dispute_timeline" USING btree ("actor_id");--> statement-breakpoint
CREATE UNIQUE INDEX "disputes_legacy_object_id_uq" ON "disputes" USING btree ("legacy_object_id");--> statement-breakpoint
CREATE INDEX "disputes_purchase_request_idx" ON "disputes" USING btree ("purchase_request_id");--> statement-breakpoint
CREATE INDEX "disputes_payment_idx" ON "disputes" USING btree ("payment_id");--> statement-breakpoint
CREATE INDEX "disputes_opened_by_idx" ON "disputes" USING btree ("opened_by_id");--> statement-breakpoint
CREATE INDEX "disputes_against_user_idx" ON "disputes" USING btree ("against_user_id");--> statement-breakpoint
CREATE INDEX "disputes_resolved_by_idx" ON "disputes" USING btree ("resolution_resolved_by_id");--> statement-breakpoint
CREATE INDEX "disputes_status_idx" ON "disputes" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "migration_rejects_open_uq" ON "migration_rejects" USING btree ("collection","legacy_object_id") WHERE resolved_at IS NULL;--> statement-breakpoint
CREATE INDEX "migration_rejects_reason_idx" ON "migration_rejects" USING btree ("collection","reason");
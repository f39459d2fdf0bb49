CREATE TABLE "sweep_checkpoints" (
	"collection" text PRIMARY KEY NOT NULL,
	"swept_to" timestamp with time zone NOT NULL,
	"last_run_at" timestamp with time zone DEFAULT now() NOT NULL,
	"scanned" integer DEFAULT 0 NOT NULL,
	"synced" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	"departed" integer DEFAULT 0 NOT NULL
);

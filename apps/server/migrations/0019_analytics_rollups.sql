CREATE TABLE "analytics_rollup_state" (
	"source" text PRIMARY KEY NOT NULL,
	"rolled_until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_rollups" (
	"source" text NOT NULL,
	"grain" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"d1" text NOT NULL,
	"d2" text DEFAULT '' NOT NULL,
	"d3" text DEFAULT '' NOT NULL,
	"n" integer NOT NULL,
	"prompt_tokens" bigint,
	"completion_tokens" bigint,
	"hist_lo" integer DEFAULT 0 NOT NULL,
	"hist" integer[] DEFAULT '{}' NOT NULL,
	CONSTRAINT "analytics_rollups_source_grain_at_d1_d2_d3_pk" PRIMARY KEY("source","grain","at","d1","d2","d3")
);

CREATE TABLE "autoscaling_decisions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"pool" text NOT NULL,
	"source" text NOT NULL,
	"rule" jsonb,
	"input" jsonb NOT NULL,
	"previous" integer,
	"desired" integer NOT NULL,
	"reason" text NOT NULL,
	"target" text NOT NULL,
	"applied" boolean NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "autoscaling_rules" (
	"pool" text PRIMARY KEY NOT NULL,
	"min_workers" integer NOT NULL,
	"max_workers" integer NOT NULL,
	"scale_up_oldest_seconds" integer,
	"scale_up_depth" integer,
	"scale_down_idle_minutes" integer NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text
);
--> statement-breakpoint
CREATE TABLE "health_samples" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"check" text NOT NULL,
	"status" text NOT NULL,
	"latency_ms" integer NOT NULL,
	"message" text
);
--> statement-breakpoint
CREATE TABLE "pool_scaling" (
	"pool" text PRIMARY KEY NOT NULL,
	"desired" integer,
	"manual_desired" integer,
	"manual_until" timestamp with time zone,
	"idle_since" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD COLUMN "provider" text;--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD COLUMN "prompt_tokens" integer;--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD COLUMN "completion_tokens" integer;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "disabled_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "autoscaling_decisions_pool_idx" ON "autoscaling_decisions" USING btree ("pool","id");--> statement-breakpoint
CREATE INDEX "health_samples_at_idx" ON "health_samples" USING btree ("at");--> statement-breakpoint
CREATE INDEX "ai_jobs_created_idx" ON "ai_jobs" USING btree ("created_at","action","status");--> statement-breakpoint
CREATE INDEX "previews_created_idx" ON "previews" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "previews_failed_created_idx" ON "previews" USING btree ("created_at","platform","error_code") WHERE "previews"."status" = 'failed';--> statement-breakpoint
CREATE INDEX "repo_syncs_created_status_idx" ON "repo_syncs" USING btree ("created_at","status","duration_ms","error_code");--> statement-breakpoint
CREATE INDEX "suggestions_created_state_idx" ON "suggestions" USING btree ("created_at","state");
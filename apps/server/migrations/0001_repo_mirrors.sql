CREATE TABLE "repo_syncs" (
	"id" text PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"requested_by" text,
	"trigger" text NOT NULL,
	"status" text NOT NULL,
	"commit" text,
	"job_id" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error_code" text,
	"error_message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"duration_ms" integer
);
--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "credential_type" text;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "credential_ciphertext" text;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "sync_interval_minutes" integer;--> statement-breakpoint
ALTER TABLE "repo_syncs" ADD CONSTRAINT "repo_syncs_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repo_syncs" ADD CONSTRAINT "repo_syncs_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "repo_syncs_one_active_per_project" ON "repo_syncs" USING btree ("project_id") WHERE "repo_syncs"."status" in ('queued', 'running', 'updating_files', 'cleaning', 'finalizing');--> statement-breakpoint
CREATE INDEX "repo_syncs_project_created_idx" ON "repo_syncs" USING btree ("project_id","created_at");--> statement-breakpoint
CREATE INDEX "repo_syncs_requested_by_status_idx" ON "repo_syncs" USING btree ("requested_by","status");
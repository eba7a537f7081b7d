CREATE TABLE "previews" (
	"id" text PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"created_by" text,
	"platform" text NOT NULL,
	"status" text NOT NULL,
	"code" text NOT NULL,
	"upload_key" text NOT NULL,
	"bundle_key" text,
	"claimed_sha256" text,
	"sha256" text,
	"size" integer,
	"error_code" text,
	"error_message" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ready_at" timestamp with time zone,
	"consumed_at" timestamp with time zone,
	"expired_at" timestamp with time zone,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "previews" ADD CONSTRAINT "previews_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "previews" ADD CONSTRAINT "previews_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "previews_live_code_key" ON "previews" USING btree ("code") WHERE "previews"."status" in ('pending_upload', 'ready');--> statement-breakpoint
CREATE INDEX "previews_project_created_idx" ON "previews" USING btree ("project_id","created_at");--> statement-breakpoint
CREATE INDEX "previews_status_expires_idx" ON "previews" USING btree ("status","expires_at");--> statement-breakpoint
CREATE INDEX "previews_bundle_key_idx" ON "previews" USING btree ("bundle_key");
ALTER TABLE "suggestions" ALTER COLUMN "patch" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD COLUMN "log_key" text;--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD COLUMN "result_key" text;--> statement-breakpoint
ALTER TABLE "suggestions" ADD COLUMN "patch_key" text;
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"client" text,
	"user_agent" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
-- Refresh-token families issued before sessions existed become sessions, so they keep working and are listed.
INSERT INTO "sessions" ("id", "user_id", "created_at", "last_used_at", "expires_at")
SELECT "family_id", "user_id", min("created_at"), max("created_at"), max("expires_at")
FROM "refresh_tokens"
WHERE "revoked_at" IS NULL AND "rotated_at" IS NULL AND "expires_at" > now()
GROUP BY "family_id", "user_id";

CREATE TABLE "notification_client_reads" (
	"notification_id" text NOT NULL,
	"client" text NOT NULL,
	"read_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_client_reads_notification_id_client_pk" PRIMARY KEY("notification_id","client")
);
--> statement-breakpoint
ALTER TABLE "notification_client_reads" ADD CONSTRAINT "notification_client_reads_notification_id_notifications_id_fk" FOREIGN KEY ("notification_id") REFERENCES "public"."notifications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notifications_read_created_idx" ON "notifications" USING btree ("created_at") WHERE "notifications"."read_at" is not null;
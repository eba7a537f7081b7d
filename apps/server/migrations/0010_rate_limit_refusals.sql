CREATE TABLE "rate_limit_refusals" (
	"minute" timestamp with time zone NOT NULL,
	"limit_name" text NOT NULL,
	"route" text NOT NULL,
	"user_id" text NOT NULL,
	"ip" text NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "rate_limit_refusals_minute_limit_name_route_user_id_ip_pk" PRIMARY KEY("minute","limit_name","route","user_id","ip")
);

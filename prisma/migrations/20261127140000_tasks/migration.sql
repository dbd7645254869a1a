-- Async media tasks (video, music): submitted, polled, completed or failed. A task holds its price at
-- submit (holds.request_id = tasks.id), is advanced by the task runner under a row lease
-- (lease_owner, lease_expires_at), and is settled on success or released on failure, cancel or timeout.
CREATE TYPE "TaskKind" AS ENUM ('VIDEO', 'MUSIC');
CREATE TYPE "TaskStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED');

-- The per-user secret that signs task webhook callbacks (x-meterway-signature); made on first use.
ALTER TABLE "users" ADD COLUMN "task_webhook_secret" TEXT;

CREATE TABLE "tasks" (
    "id" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "api_key_id" UUID,
    "kind" "TaskKind" NOT NULL,
    "model_id" TEXT NOT NULL,
    "status" "TaskStatus" NOT NULL DEFAULT 'QUEUED',
    "input" JSONB NOT NULL,
    "request_hash" TEXT NOT NULL,
    "idempotency_key" TEXT,
    "hold_id" UUID,
    "price_micros" BIGINT NOT NULL,
    "cost_micros" BIGINT NOT NULL DEFAULT 0,
    "provider_id" TEXT,
    "provider_job_id" TEXT,
    "submissions" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" JSONB,
    "callback_url" TEXT,
    "callback_attempts" INTEGER NOT NULL DEFAULT 0,
    "callback_delivered_at" TIMESTAMPTZ(3),
    "lease_owner" TEXT,
    "lease_expires_at" TIMESTAMPTZ(3),
    "next_poll_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "deadline_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "started_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "result_content_type" TEXT,
    "result_bytes" INTEGER,
    "result_expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "tasks_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "tasks_cost_within_price" CHECK ("cost_micros" >= 0 AND "cost_micros" <= "price_micros"),
    CONSTRAINT "tasks_charged_only_on_success" CHECK ("status" = 'SUCCEEDED' OR "cost_micros" = 0)
);

-- Idempotency-Key is scoped to the key owner.
CREATE UNIQUE INDEX "tasks_user_id_idempotency_key_key" ON "tasks"("user_id", "idempotency_key");
CREATE INDEX "tasks_user_id_created_at_idx" ON "tasks"("user_id", "created_at");
-- The runner's claim: open tasks by next poll time.
CREATE INDEX "tasks_status_next_poll_at_idx" ON "tasks"("status", "next_poll_at");

ALTER TABLE "tasks" ADD CONSTRAINT "tasks_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Result bytes live in the database (not on one instance's disk) so any instance can serve them;
-- the runner deletes them after tasks.result_expires_at.
CREATE TABLE "task_results" (
    "task_id" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "task_results_pkey" PRIMARY KEY ("task_id")
);

ALTER TABLE "task_results" ADD CONSTRAINT "task_results_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

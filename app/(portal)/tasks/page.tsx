import type { Metadata } from "next";
import { PageHeader } from "@/components/layout/page-header";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { TasksView } from "@/components/tasks/tasks-view";
import { requireUser } from "@/lib/auth/session";
import { taskWebhookSecret } from "@/lib/gateway/tasks/callbacks";
import { portalTasks } from "@/lib/gateway/tasks/portal-tasks";

export const metadata: Metadata = { title: "Tasks" };

export default async function TasksPage() {
  const user = await requireUser();
  const [initial, secret] = await Promise.all([
    portalTasks({ ctx: { userId: user.userId }, input: { limit: 50 } }),
    taskWebhookSecret(user.userId),
  ]);
  return (
    <div className="space-y-6">
      <PageHeader
        title="Tasks"
        description="Video and music generations run in the background. Each is charged its price once it succeeds; a failed, canceled or timed-out task costs nothing."
      />
      <TasksView initial={initial} />
      <Card aria-labelledby="webhook-secret">
        <CardHeader
          id="webhook-secret"
          title="Webhook signing secret"
          description={
            <>
              Pass <code>callback_url</code> when you create a task and we POST the finished task there, signed in the{" "}
              <code>x-meterway-signature: t=…,v1=…</code> header (HMAC-SHA256 of <code>t.body</code> with this secret).
            </>
          }
        />
        <CardBody className="flex flex-wrap items-center gap-3">
          <code className="rounded bg-zinc-100 px-2 py-1 font-mono text-sm break-all dark:bg-zinc-800">{secret}</code>
          <CopyButton text={secret} label="Copy secret" />
        </CardBody>
      </Card>
    </div>
  );
}

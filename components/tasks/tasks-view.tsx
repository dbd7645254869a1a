"use client";

// The Tasks table: polls /api/tasks every 2 s while any task is queued or running, previews results
// (<img> for the sandbox's GIFs, <video>, <audio>), offers downloads, and cancels open tasks. Idle, it
// still refreshes every 10 s so tasks created over the API appear.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button, buttonClasses } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import type { PortalTask } from "@/lib/gateway/tasks/portal-tasks";
import { displayUsd } from "@/lib/money";

interface TasksPage {
  items: PortalTask[];
  has_more: boolean;
  next_cursor: string | null;
}

const TONES: Record<PortalTask["status"], BadgeTone> = { queued: "neutral", running: "blue", succeeded: "green", failed: "red", canceled: "yellow" };
const day = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric" });
const clock = new Intl.DateTimeFormat("en-US", { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
const open = (t: PortalTask) => t.status === "queued" || t.status === "running";

async function fetchTasks(): Promise<TasksPage> {
  const res = await fetch("/api/tasks?limit=50", { cache: "no-store" });
  if (!res.ok) throw new Error(`Could not load your tasks (HTTP ${res.status}).`);
  return res.json() as Promise<TasksPage>;
}

/** "Nov 27" over "22:11:26": two short lines keep the table inside the card at 1280 px. */
function When({ seconds }: { seconds: number }) {
  const at = new Date(seconds * 1000);
  return (
    <time dateTime={at.toISOString()} title={at.toISOString()}>
      {day.format(at)}
      <span className="block text-xs text-zinc-600 tabular-nums dark:text-zinc-400">{clock.format(at)}</span>
    </time>
  );
}

function Preview({ task }: { task: PortalTask }) {
  const r = task.result;
  if (!r) return <span className="text-zinc-500">—</span>;
  const label = `${task.kind} result of ${task.id}`;
  const media = r.content_type.startsWith("image/") ? (
    // eslint-disable-next-line @next/next/no-img-element -- a user's generated GIF, served by our own route
    <img src={r.url} alt={label} width={96} height={64} className="rounded border border-zinc-200 dark:border-zinc-700" />
  ) : r.content_type.startsWith("video/") ? (
    <video src={r.url} controls muted loop width={160} aria-label={label} className="rounded" />
  ) : r.content_type.startsWith("audio/") ? (
    <audio src={r.url} controls aria-label={label} className="h-8 w-56" />
  ) : null;
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
      {media}
      <a href={`${r.url}?download=1`} download className={buttonClasses({ variant: "secondary", size: "sm" })} aria-label={`Download ${label}`}>
        Download
      </a>
    </div>
  );
}

export function TasksView({ initial }: { initial: TasksPage }) {
  const queryClient = useQueryClient();
  const { data, error } = useQuery({
    queryKey: ["tasks"],
    queryFn: fetchTasks,
    initialData: initial,
    staleTime: 0,
    refetchInterval: (query) => (query.state.data?.items.some(open) ? 2000 : 10_000),
  });
  const cancel = useMutation({
    mutationFn: async (id: string) => {
      const res = await fetch(`/api/tasks/${id}/cancel`, { method: "POST" });
      if (!res.ok) throw new Error(((await res.json()) as { error?: { message?: string } }).error?.message ?? "Could not cancel the task.");
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["tasks"] }),
  });

  // The Cancel column is there only while something can be canceled: empty, it cost the results their room.
  const anyOpen = data.items.some(open);

  if (data.items.length === 0) {
    return (
      <Card>
        <EmptyState title="No tasks yet">
          Create one with <code>POST /v1/videos</code> or <code>POST /v1/music</code> (try <code>sandbox/video</code>); it appears here and updates as it runs.
        </EmptyState>
      </Card>
    );
  }
  return (
    <Card>
      {error ? <p role="alert" className="px-5 pt-4 text-sm text-red-700 dark:text-red-400">{(error as Error).message}</p> : null}
      {cancel.error ? <p role="alert" className="px-5 pt-4 text-sm text-red-700 dark:text-red-400">{(cancel.error as Error).message}</p> : null}
      <Table caption="Your async tasks, newest first">
        <THead>
          <TR>
            <TH>Task</TH>
            <TH>Model</TH>
            <TH>Status</TH>
            <TH className="text-right">Cost</TH>
            <TH>Created</TH>
            <TH>Completed</TH>
            <TH>Result</TH>
            {anyOpen ? <TH><span className="sr-only">Actions</span></TH> : null}
          </TR>
        </THead>
        <TBody>
          {data.items.map((t) => (
            <TR key={t.id} data-task-id={t.id}>
              <TD className="font-mono text-xs" title={t.id}>{`${t.id.slice(0, 13)}…`}</TD>
              <TD>
                {t.model} <span className="block text-xs text-zinc-500">{t.kind}</span>
              </TD>
              <TD>
                <Badge tone={TONES[t.status]}>{t.status}</Badge>
                {t.error ? <p className="mt-1 max-w-64 truncate text-xs text-zinc-500" title={t.error.message}>{t.error.code}</p> : null}
              </TD>
              <TD className="text-right tabular-nums">{displayUsd(BigInt(t.cost_micros))}</TD>
              <TD>
                <When seconds={t.created_at} />
              </TD>
              <TD>{t.completed_at ? <When seconds={t.completed_at} /> : "—"}</TD>
              <TD>
                <Preview task={t} />
              </TD>
              {anyOpen ? (
                <TD>
                  {open(t) ? (
                    <Button variant="ghost" size="sm" disabled={cancel.isPending} onClick={() => cancel.mutate(t.id)} aria-label={`Cancel ${t.id}`}>
                      Cancel
                    </Button>
                  ) : null}
                </TD>
              ) : null}
            </TR>
          ))}
        </TBody>
      </Table>
    </Card>
  );
}

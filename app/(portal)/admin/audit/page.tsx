import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/layout/page-header";
import { Button, buttonClasses } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { Input, Label, inputClasses } from "@/components/ui/input";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { listAudit, listAuditActions } from "@/lib/audit/list-audit";
import { requireAdmin } from "@/lib/auth/require-admin";
import { toFilter, type AuditSearch } from "./filters";

export const metadata: Metadata = { title: "Audit log · Admin" };

function summary(value: unknown): string {
  if (value === null || value === undefined) return "";
  return JSON.stringify(value);
}

export default async function AdminAuditPage({ searchParams }: { searchParams: Promise<AuditSearch> }) {
  const admin = await requireAdmin();
  const search = await searchParams;
  const [{ events, nextBefore }, actions] = await Promise.all([listAudit({ ctx: admin, input: toFilter(search) }), listAuditActions({ ctx: admin })]);
  const query = new URLSearchParams(Object.entries(search).filter(([k, v]) => k !== "before" && typeof v === "string" && v !== "") as [string, string][]);
  const filtered = [...query.keys()].length > 0;

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every admin action and every sensitive user action, newest first. Entries cannot be changed or deleted."
        action={
          <a href={`/admin/audit/export?${query.toString()}`} className={buttonClasses({ variant: "secondary" })} download>
            Export CSV
          </a>
        }
      />
      <form method="get" className="mb-6 grid gap-3 sm:grid-cols-2 lg:grid-cols-6 lg:items-end" aria-label="Filter the audit log">
        <div>
          <Label htmlFor="action">Action</Label>
          <select id="action" name="action" defaultValue={search.action ?? ""} className={`${inputClasses} mt-1`}>
            <option value="">Any action</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <div>
          <Label htmlFor="actor">Actor</Label>
          <Input id="actor" name="actor" defaultValue={search.actor} placeholder="email or user id" className="mt-1" />
        </div>
        <div>
          <Label htmlFor="target">Target</Label>
          <Input id="target" name="target" defaultValue={search.target} placeholder="id or type (model, user…)" className="mt-1" />
        </div>
        <div>
          <Label htmlFor="from">From (UTC)</Label>
          <Input id="from" name="from" type="date" defaultValue={search.from} className="mt-1" />
        </div>
        <div>
          <Label htmlFor="to">To (UTC)</Label>
          <Input id="to" name="to" type="date" defaultValue={search.to} className="mt-1" />
        </div>
        <div className="flex gap-2">
          <Button type="submit" variant="secondary">
            Filter
          </Button>
          {filtered ? (
            <Link href="/admin/audit" className={buttonClasses({ variant: "ghost" })}>
              Clear
            </Link>
          ) : null}
        </div>
      </form>
      <Card aria-labelledby="audit-heading">
        <h2 id="audit-heading" className="sr-only">
          Audit events
        </h2>
        {events.length === 0 ? (
          <EmptyState title={filtered ? "No events match these filters" : "No events yet"}>{filtered ? "Widen the dates or clear a filter." : "Admin and sensitive user actions are recorded here."}</EmptyState>
        ) : (
          // Fits the card at 1280 px: dense cells, the time under the date, actor and target cut short (whole in
          // their titles), the action wrapped after a ".", and Details takes what is left, cut short until opened.
          <Table caption="Audit events" dense>
            <THead>
              <TR>
                <TH>Time</TH>
                <TH>Actor</TH>
                <TH>Action</TH>
                <TH>Target</TH>
                <TH>Details</TH>
                <TH>Address</TH>
              </TR>
            </THead>
            <TBody>
              {events.map((e) => (
                <TR key={e.id.toString()} className="align-top">
                  <TD className="text-xs">
                    <DateTime value={e.createdAt} stacked />
                  </TD>
                  <TD className="max-w-40 truncate text-xs" title={e.actorId ? `${e.actorLabel} (${e.actorId})` : e.actorLabel}>
                    {e.actorLabel}
                  </TD>
                  <TD className="font-mono text-xs whitespace-normal">
                    {e.action.split(".").map((part, i, parts) => (
                      <span key={i} className="whitespace-nowrap">
                        {part}
                        {i < parts.length - 1 ? (
                          <>
                            .<wbr />
                          </>
                        ) : null}
                      </span>
                    ))}
                  </TD>
                  <TD className="max-w-40 truncate text-xs" title={e.targetId ?? undefined}>
                    {e.targetType}
                    {e.targetId ? (
                      e.targetType === "user" ? (
                        <Link href={`/admin/customers/${e.targetId}`} className="block truncate font-mono text-indigo-700 underline-offset-4 hover:underline dark:text-indigo-400">
                          {e.targetId}
                        </Link>
                      ) : (
                        <span className="block truncate font-mono">{e.targetId}</span>
                      )
                    ) : null}
                  </TD>
                  {/* w-full + max-w-0: the column takes the room the others leave (at least 12rem), its summary cut to fit. */}
                  <TD className="w-full max-w-0 min-w-48 text-xs whitespace-normal">
                    {e.before ? (
                      <details>
                        <summary className="cursor-pointer">Before / after</summary>
                        <pre className="mt-1 max-h-48 overflow-auto rounded bg-zinc-50 p-2 text-[11px] break-all whitespace-pre-wrap dark:bg-zinc-950">
                          before: {summary(e.before)}
                          {"\n"}after: {summary(e.after)}
                        </pre>
                      </details>
                    ) : (
                      <span className="block truncate font-mono" title={summary(e.after)}>
                        {summary(e.after)}
                      </span>
                    )}
                  </TD>
                  <TD className="max-w-32 truncate text-xs" title={e.ip ?? undefined}>
                    {e.ip ?? "—"}
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
      </Card>
      {nextBefore !== null ? (
        <div className="mt-4 flex justify-end">
          <Link href={`/admin/audit?${new URLSearchParams([...query.entries(), ["before", nextBefore.toString()]]).toString()}`} className={buttonClasses({ variant: "secondary" })}>
            Older events
          </Link>
        </div>
      ) : null}
    </>
  );
}

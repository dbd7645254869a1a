import type { Metadata } from "next";
import { AdminForm } from "@/components/admin/admin-form";
import { Stat } from "@/components/admin/stat";
import { PageHeader } from "@/components/layout/page-header";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { TD, TR } from "@/components/ui/table";
import { TableCard } from "@/components/ui/table-card";
import { getHealth } from "@/lib/admin/get-health";
import { requireAdmin } from "@/lib/auth/require-admin";
import { displayUsd } from "@/lib/money";
import { runLedgerCheckAction } from "./actions";

export const metadata: Metadata = { title: "Health · Admin" };
export const dynamic = "force-dynamic";

function age(from: Date) {
  const seconds = Math.max(0, Math.floor((Date.now() - from.getTime()) / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h`;
}

export default async function AdminHealthPage() {
  const admin = await requireAdmin();
  const h = await getHealth({ ctx: admin });
  const violations = Array.isArray(h.lastCheck?.violations) ? (h.lastCheck.violations as { accountId: string | null; rule: string; detail: string }[]) : [];
  return (
    <>
      <PageHeader title="Health" description="Money held, webhook backlog, ledger consistency and provider errors." />
      <dl className="mb-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Stat label="Outstanding holds" value={h.activeHolds} hint={`${displayUsd(h.reservedMicros)} reserved`} />
        <Stat
          label="Oldest hold"
          value={h.oldestHold ? age(h.oldestHold.createdAt) : "—"}
          hint={h.oldestHold ? (h.oldestHold.expiresAt.getTime() < Date.now() ? "past its expiry: the sweeper will release it" : "within its expiry") : "no active holds"}
        />
        <Stat
          label="Tasks in flight"
          value={`${h.tasks.QUEUED ?? 0} queued · ${h.tasks.RUNNING ?? 0} running`}
          hint={`Last 24 h: ${h.tasks.SUCCEEDED ?? 0} succeeded, ${h.tasks.FAILED ?? 0} failed, ${h.tasks.CANCELED ?? 0} canceled`}
        />
        <Stat label="Webhook events" value={`${h.webhooksPending} pending · ${h.webhooksFailed} failed`} hint="Stripe retries failed deliveries." />
      </dl>

      <div className="grid grid-cols-1 items-start gap-6 lg:grid-cols-2">
        <Card aria-labelledby="ledger-check-heading">
          <CardHeader id="ledger-check-heading" title="Ledger check" description="Balance equals the sum of the ledger, no negative available balance, no hold past its expiry…" />
          <CardBody className="space-y-4">
            {h.lastCheck ? (
              <p className="text-sm">
                Last run <DateTime value={h.lastCheck.createdAt} /> ({h.lastCheck.source === "cli" ? "command line" : "admin"}
                {h.lastCheck.actor ? `, ${h.lastCheck.actor}` : ""}):{" "}
                {h.lastCheck.ok ? <Badge tone="green">Clean</Badge> : <Badge tone="red">{violations.length} violation(s)</Badge>} over {h.lastCheck.accounts} accounts.
              </p>
            ) : (
              <p className="text-sm text-zinc-600 dark:text-zinc-400">The check has not been run yet.</p>
            )}
            {violations.length > 0 ? (
              <ul className="list-disc space-y-1 pl-5 text-sm">
                {violations.slice(0, 20).map((v, i) => (
                  <li key={i}>
                    <span className="font-medium">{v.rule}</span>: {v.detail} {v.accountId ? <span className="font-mono text-xs">({v.accountId})</span> : null}
                  </li>
                ))}
              </ul>
            ) : null}
            <AdminForm action={runLedgerCheckAction} submitLabel="Run the check now" pendingText="Checking…">
              {null}
            </AdminForm>
          </CardBody>
        </Card>

        <TableCard
          id="providers-heading"
          title="Provider errors, last hour"
          description="Failed requests out of all requests, by provider."
          caption="Provider error rates over the last hour"
          columns={["Provider", { label: "Requests", align: "right" }, { label: "Failed", align: "right" }, { label: "Error rate", align: "right" }]}
          empty={h.providers.length === 0 && <EmptyState title="No requests in the last hour" />}
        >
          {h.providers.map((p) => {
            const rate = p.total ? (p.failed * 100) / p.total : 0;
            return (
              <TR key={p.providerId}>
                <TD className="font-mono text-xs">{p.providerId}</TD>
                <TD className="text-right tabular-nums">{p.total}</TD>
                <TD className="text-right tabular-nums">{p.failed}</TD>
                <TD className="text-right tabular-nums">{rate >= 5 ? <Badge tone="red">{rate.toFixed(1)}%</Badge> : `${rate.toFixed(1)}%`}</TD>
              </TR>
            );
          })}
        </TableCard>
      </div>
    </>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { per } from "@/components/subscriptions/format";
import { PageHeader } from "@/components/layout/page-header";
import { PageLoading } from "@/components/layout/page-loading";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { buttonClasses } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { TD, TR } from "@/components/ui/table";
import { TableCard } from "@/components/ui/table-card";
import { listAdminPlans } from "@/lib/admin/list-plans";
import { requireAdmin } from "@/lib/auth/require-admin";
import { displayUsd } from "@/lib/money";

export const metadata: Metadata = { title: "Plans · Admin" };

const link = "font-medium text-indigo-700 underline-offset-4 hover:underline focus-visible:rounded-sm focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-400";
const muted = "text-zinc-500 dark:text-zinc-400";
const integer = new Intl.NumberFormat("en-US");

type SearchParams = Promise<{ saved?: string }>;

export default function AdminPlansPage({ searchParams }: { searchParams: SearchParams }) {
  // The loading state is this boundary rather than a loading.tsx: an admin/plans/loading.tsx would also wrap
  // /admin/plans/plan?id=, whose "not found" must be a real 404 — and a response that has started streaming
  // (a loading fallback sent) can only be a 200.
  return (
    <Suspense fallback={<PageLoading label="the plans" />}>
      <AdminPlans searchParams={searchParams} />
    </Suspense>
  );
}

async function AdminPlans({ searchParams }: { searchParams: SearchParams }) {
  const admin = await requireAdmin();
  const [{ saved }, plans] = await Promise.all([searchParams, listAdminPlans({ ctx: admin })]);
  return (
    <>
      <PageHeader
        title="Plans"
        description="Subscription tiers customers can buy on the Plans page. New terms apply to each subscription from its next period."
        action={
          <Link href="/admin/plans/plan" className={buttonClasses()}>
            Add plan
          </Link>
        }
      />
      {saved ? (
        <Alert tone="success" role="status" className="mb-6">
          Saved {saved}.
        </Alert>
      ) : null}
      <TableCard
        id="plans-heading"
        title="Plans"
        description="Custom subscriptions for one customer are set up on that customer's page."
        caption="Plans"
        columns={[
          "Plan",
          { label: "Price", align: "right" },
          { label: "Included usage", align: "right" },
          { label: "Images / tasks", align: "right" },
          "Models",
          "Overage",
          { label: "Subscribers", align: "right" },
          "Status",
          { label: "Actions", srOnly: true },
        ]}
        empty={plans.length === 0 && <EmptyState title="No plans yet">Add a plan to offer a monthly allowance beside Pay-As-You-Go.</EmptyState>}
      >
        {plans.map((p) => (
          <TR key={p.id}>
            <TD>
              <span className="font-medium">{p.name}</span>
              <span className="block font-mono text-xs text-zinc-600 dark:text-zinc-400">{p.slug}</span>
            </TD>
            <TD className="text-right tabular-nums">
              {displayUsd(p.priceMicros)} <span className={muted}>/ {per(p.interval)}</span>
              {p.stripePriceId ? <span className="block font-mono text-xs text-zinc-600 dark:text-zinc-400">{p.stripePriceId}</span> : null}
            </TD>
            <TD className="text-right tabular-nums">{displayUsd(p.allowanceMicros)}</TD>
            <TD className="text-right tabular-nums">
              {p.imageAllowance === null ? "—" : integer.format(p.imageAllowance)} / {p.taskAllowance === null ? "—" : integer.format(p.taskAllowance)}
            </TD>
            <TD className="max-w-56 truncate text-xs" title={p.modelIds.join(", ")}>
              {p.modelIds.length === 0 ? "Every model" : <span className="font-mono">{p.modelIds.join(", ")}</span>}
            </TD>
            <TD>{p.overageToBalance ? "Balance" : "Refused"}</TD>
            <TD className="text-right tabular-nums">{integer.format(p.liveSubscriptions)}</TD>
            <TD>{p.active ? <Badge tone="green">Active</Badge> : <Badge>Inactive</Badge>}</TD>
            <TD className="text-right">
              <Link href={`/admin/plans/plan?id=${p.id}`} className={link} aria-label={`Edit ${p.name}`}>
                Edit
              </Link>
            </TD>
          </TR>
        ))}
      </TableCard>
    </>
  );
}

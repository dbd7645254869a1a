import type { Metadata } from "next";
import Link from "next/link";
import clsx from "clsx";
import { PageHeader } from "@/components/layout/page-header";
import { UsageTable } from "@/components/usage/usage-table";
import { UsageTabs } from "@/components/usage/usage-tabs";
import { Button, buttonClasses } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input, Label, inputClasses } from "@/components/ui/input";
import { requireUser } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { listKeys } from "@/lib/keys/list-keys";
import { listModels } from "@/lib/models/list-models";
import { filterQuery, readFilterParams, toUsageFilter } from "@/lib/usage/filter-params";
import { listUsage } from "@/lib/usage/list-usage";

export const metadata: Metadata = { title: "Request log" };

const linkClasses =
  "font-medium text-indigo-700 underline-offset-4 hover:underline focus-visible:rounded-sm focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-400";

export default async function RequestLogPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser();
  const ctx = { userId: user.userId };
  const raw = await searchParams;
  const params = readFilterParams(raw);
  const cursor = typeof raw.cursor === "string" && raw.cursor.length <= 200 ? raw.cursor : undefined;
  const filter = toUsageFilter(params);
  const [page, keys, models] = await Promise.all([
    listUsage({ ctx, input: { ...filter, limit: 50, cursor } }).catch((error: unknown) => {
      // A stale or hand-edited cursor: show the first page instead of an error.
      if (isAppError(error)) return listUsage({ ctx, input: { ...filter, limit: 50 } });
      throw error;
    }),
    listKeys({ ctx }),
    listModels(),
  ]);
  const filtered = Boolean(params.key || params.model || params.status || params.paid_by || params.from || params.to);
  const select = clsx(inputClasses, "mt-1 w-48");

  return (
    <>
      <PageHeader
        title="Usage"
        description="Every request your keys made, newest first. Times are UTC."
        action={
          <a href={`/api/usage/export${filterQuery(params)}`} className={buttonClasses({ variant: "secondary" })} download>
            Export CSV
          </a>
        }
      />
      <UsageTabs current="/usage/requests" />

      <form method="get" action="/usage/requests" className="mb-6 flex flex-wrap items-end gap-3" aria-label="Filter requests">
        <div>
          <Label htmlFor="filter-key">Key</Label>
          <select id="filter-key" name="key" defaultValue={params.key ?? ""} className={select}>
            <option value="">All keys</option>
            {keys.map((k) => (
              <option key={k.id} value={k.id}>
                {k.name} ({k.prefix}…){k.revokedAt ? " — revoked" : ""}
              </option>
            ))}
          </select>
        </div>
        <div>
          <Label htmlFor="filter-model">Model</Label>
          <select id="filter-model" name="model" defaultValue={params.model ?? ""} className={select}>
            <option value="">All models</option>
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.id}
              </option>
            ))}
            {params.model && !models.some((m) => m.id === params.model) ? <option value={params.model}>{params.model}</option> : null}
          </select>
        </div>
        <div>
          <Label htmlFor="filter-status">Status</Label>
          <select id="filter-status" name="status" defaultValue={params.status ?? ""} className={clsx(inputClasses, "mt-1 w-36")}>
            <option value="">Any status</option>
            <option value="SUCCEEDED">Succeeded</option>
            <option value="PARTIAL">Partial</option>
            <option value="FAILED">Failed</option>
          </select>
        </div>
        <div>
          <Label htmlFor="filter-paid-by">Paid by</Label>
          <select id="filter-paid-by" name="paid_by" defaultValue={params.paid_by ?? ""} className={clsx(inputClasses, "mt-1 w-40")}>
            <option value="">Anyone</option>
            <option value="BALANCE">Balance</option>
            <option value="SUBSCRIPTION">Subscription</option>
            <option value="MIXED">Mixed</option>
          </select>
        </div>
        <div>
          <Label htmlFor="filter-from">From</Label>
          <Input id="filter-from" name="from" type="date" defaultValue={params.from} className="mt-1 w-40" />
        </div>
        <div>
          <Label htmlFor="filter-to">To</Label>
          <Input id="filter-to" name="to" type="date" defaultValue={params.to} className="mt-1 w-40" />
        </div>
        <Button type="submit">Apply filters</Button>
        {filtered ? (
          <Link href="/usage/requests" className={clsx(linkClasses, "self-center text-sm")}>
            Clear filters
          </Link>
        ) : null}
      </form>

      <Card aria-labelledby="log-heading">
        <h2 id="log-heading" className="sr-only">
          Requests
        </h2>
        {page.items.length === 0 ? (
          <EmptyState
            title={filtered ? "No requests match these filters" : "No requests yet"}
            action={
              filtered ? (
                <Link href="/usage/requests" className={buttonClasses({ variant: "secondary" })}>
                  Clear filters
                </Link>
              ) : (
                <Link href="/getting-started" className={buttonClasses()}>
                  Make your first request
                </Link>
              )
            }
          >
            {cursor ? "There are no older requests." : filtered ? "Try another key, model, status, payer or date range." : "Requests you make with your keys show up here within seconds."}
          </EmptyState>
        ) : (
          <>
            <UsageTable rows={page.items} caption="Request log" />
            {cursor || page.nextCursor ? (
              <nav aria-label="Pages" className="flex justify-between border-t border-zinc-200 px-5 py-3 text-sm dark:border-zinc-800">
                {cursor ? (
                  <Link href={`/usage/requests${filterQuery(params)}`} className={linkClasses}>
                    ← Newest
                  </Link>
                ) : (
                  <span />
                )}
                {page.nextCursor ? (
                  <Link href={`/usage/requests${filterQuery(params, { cursor: page.nextCursor })}`} className={linkClasses}>
                    Older requests →
                  </Link>
                ) : null}
              </nav>
            ) : null}
          </>
        )}
      </Card>
    </>
  );
}

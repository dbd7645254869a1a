import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { PageHeader } from "@/components/layout/page-header";
import { PageLoading } from "@/components/layout/page-loading";
import { UsageTable } from "@/components/usage/usage-table";
import { FilterProblems } from "@/components/usage/filter-problems";
import { RequestFilterForm } from "@/components/usage/request-filter-form";
import { UsageTabs } from "@/components/usage/usage-tabs";
import { buttonClasses } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { linkClasses } from "@/components/ui/link-classes";
import { requireUser } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { listKeys } from "@/lib/keys/list-keys";
import { listModels } from "@/lib/models/list-models";
import { filterQuery, parseFilterParams, toUsageFilter } from "@/lib/usage/filter-params";
import { listUsage } from "@/lib/usage/list-usage";

export const metadata: Metadata = { title: "Request log" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default function RequestLogPage({ searchParams }: { searchParams: SearchParams }) {
  // The loading state is this boundary rather than a loading.tsx: a loading.tsx here would also wrap
  // /usage/requests/[id], whose "not found" must be a real 404 — and a response that has started streaming
  // (a loading fallback sent) can only be a 200.
  return (
    <Suspense fallback={<PageLoading label="your request log" />}>
      <RequestLog searchParams={searchParams} />
    </Suspense>
  );
}

async function RequestLog({ searchParams }: { searchParams: SearchParams }) {
  const user = await requireUser();
  const ctx = { userId: user.userId };
  const raw = await searchParams;
  const parsed = parseFilterParams(raw);
  const cursor = typeof raw.cursor === "string" && raw.cursor.length <= 200 ? raw.cursor : undefined;
  // A filter that cannot be applied shows no rows at all: the log would otherwise list other requests than the form says.
  const params = parsed.params;
  const filter = params ? toUsageFilter(params) : null;
  const [page, keys, models] = await Promise.all([
    filter
      ? listUsage({ ctx, input: { ...filter, limit: 50, cursor } }).catch((error: unknown) => {
          // A stale or hand-edited cursor: show the first page instead of an error.
          if (isAppError(error)) return listUsage({ ctx, input: { ...filter, limit: 50 } });
          throw error;
        })
      : null,
    listKeys({ ctx }),
    listModels(),
  ]);
  const filtered = Object.values(parsed.raw).some(Boolean);

  return (
    <>
      <PageHeader
        title="Usage"
        description="Every request your keys made, newest first. Times are UTC."
        action={
          params ? (
            <a href={`/api/usage/export${filterQuery(params)}`} className={buttonClasses({ variant: "secondary" })} download>
              Export CSV
            </a>
          ) : null
        }
      />
      <UsageTabs current="/usage/requests" />

      <RequestFilterForm values={parsed.raw} keys={keys} models={models} problems={parsed.problems} problemsId="filter-problems" />
      <FilterProblems id="filter-problems" problems={parsed.problems} title={parsed.problems.length === 1 ? "This filter can't be applied" : "These filters can't be applied"} />

      <Card aria-labelledby="log-heading">
        <h2 id="log-heading" className="sr-only">
          Requests
        </h2>
        {!page || !params ? (
          <EmptyState
            title="No requests shown"
            action={
              <Link href="/usage/requests" className={buttonClasses({ variant: "secondary" })}>
                Clear filters
              </Link>
            }
          >
            Correct the filter above and apply it again, or clear the filters to see every request.
          </EmptyState>
        ) : page.items.length === 0 ? (
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

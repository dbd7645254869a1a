import type { Metadata } from "next";
import type { ReactNode } from "react";
import Link from "next/link";
import clsx from "clsx";
import { PageHeader } from "@/components/layout/page-header";
import { SpendChart, type SpendPoint } from "@/components/usage/spend-chart";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { buttonClasses } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { requireUser } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { requestOrigin } from "@/lib/http/request-origin";
import { displayUsd } from "@/lib/money";
import { listUsage } from "@/lib/usage/list-usage";
import { UsagePeriod } from "@/lib/usage/schemas";
import { spendSeries } from "@/lib/usage/spend-series";
import { usageTotals } from "@/lib/usage/usage-totals";

export const metadata: Metadata = { title: "Usage" };

const PERIODS: Record<UsagePeriod, { label: string; ms: number; bucket: "hour" | "day" }> = {
  "24h": { label: "Last 24 hours", ms: 24 * 3_600_000, bucket: "hour" },
  "7d": { label: "Last 7 days", ms: 7 * 86_400_000, bucket: "day" },
  "30d": { label: "Last 30 days", ms: 30 * 86_400_000, bucket: "day" },
};

const STATUS: Record<"SUCCEEDED" | "PARTIAL" | "FAILED", { label: string; tone: BadgeTone }> = {
  SUCCEEDED: { label: "Succeeded", tone: "green" },
  PARTIAL: { label: "Partial", tone: "yellow" },
  FAILED: { label: "Failed", tone: "red" },
};

const hourLabel = new Intl.DateTimeFormat("en-US", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" });
const dayLabel = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const integer = new Intl.NumberFormat("en-US");

const linkClasses =
  "font-medium text-indigo-700 underline-offset-4 hover:underline focus-visible:rounded-sm focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-400";

export default async function UsagePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser();
  const ctx = { userId: user.userId };
  const params = await searchParams;
  const period = UsagePeriod.catch("7d").parse(params.period);
  const cursor = typeof params.cursor === "string" && params.cursor.length <= 200 ? params.cursor : undefined;
  const { ms, bucket } = PERIODS[period];
  const to = new Date();
  const from = new Date(to.getTime() - ms);

  const [totals, series, recent, origin] = await Promise.all([
    usageTotals({ ctx, input: { from, to } }),
    spendSeries({ ctx, input: { from, to, bucket } }),
    listUsage({ ctx, input: { from, to, limit: 25, cursor } }).catch((error: unknown) => {
      // A stale or hand-edited cursor: show the first page instead of an error.
      if (isAppError(error)) return listUsage({ ctx, input: { from, to, limit: 25 } });
      throw error;
    }),
    requestOrigin(),
  ]);
  const points: SpendPoint[] = series.map((b) => ({
    label: (bucket === "hour" ? hourLabel : dayLabel).format(b.start),
    costMicros: b.costMicros.toString(),
    requests: b.requests,
  }));
  const baseUrl = `${origin}/v1`;
  const curl = [
    `curl ${baseUrl}/chat/completions \\`,
    `  -H "Authorization: Bearer $METERWAY_API_KEY" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"model": "sandbox/chat", "messages": [{"role": "user", "content": "Hello!"}]}'`,
  ].join("\n");

  return (
    <>
      <PageHeader
        title="Usage"
        description="What your API keys did and what it cost."
        action={
          <nav aria-label="Period" className="inline-flex rounded-lg border border-zinc-300 bg-white p-0.5 dark:border-zinc-700 dark:bg-zinc-900">
            {(Object.keys(PERIODS) as UsagePeriod[]).map((p) => (
              <Link
                key={p}
                href={`/usage?period=${p}`}
                aria-current={p === period ? "page" : undefined}
                className={clsx(
                  "rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-indigo-500",
                  p === period
                    ? "bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900"
                    : "text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white",
                )}
              >
                {PERIODS[p].label}
              </Link>
            ))}
          </nav>
        }
      />

      <dl className="grid gap-4 sm:grid-cols-3">
        <Stat label="Requests" value={integer.format(totals.requests)} />
        <Stat
          label="Tokens in / out"
          value={
            <>
              {integer.format(totals.inputTokens)}
              <span className="text-zinc-400 dark:text-zinc-500"> / </span>
              {integer.format(totals.outputTokens)}
            </>
          }
        />
        <Stat label="Spend" value={displayUsd(totals.costMicros)} />
      </dl>

      <Card className="mt-6" aria-labelledby="spend-heading">
        <CardHeader id="spend-heading" title={bucket === "hour" ? "Spend per hour" : "Spend per day"} description={`${PERIODS[period].label}, in UTC.`} />
        <CardBody>
          <SpendChart points={points} />
        </CardBody>
      </Card>

      <Card className="mt-6" aria-labelledby="recent-heading">
        <CardHeader id="recent-heading" title="Recent requests" description={`${PERIODS[period].label}, newest first.`} />
        {recent.items.length === 0 ? (
          <EmptyState
            title="No requests yet — create a key and call the API"
            action={
              <Link href="/keys" className={buttonClasses()}>
                Create an API key
              </Link>
            }
          >
            {cursor ? "There are no older requests in this period." : "Requests you make with your keys show up here within seconds."}
          </EmptyState>
        ) : (
          <>
            <Table caption="Recent requests">
              <THead>
                <TR>
                  <TH>Time</TH>
                  <TH>Key</TH>
                  <TH>Model</TH>
                  <TH className="text-right">Tokens (in / out)</TH>
                  <TH className="text-right">Cost</TH>
                  <TH>Status</TH>
                  <TH className="text-right">Latency</TH>
                </TR>
              </THead>
              <TBody>
                {recent.items.map((row) => (
                  <TR key={row.id}>
                    <TD>
                      <DateTime value={row.createdAt} />
                    </TD>
                    <TD>
                      {row.key ? (
                        <>
                          <span className="font-medium">{row.key.name}</span>{" "}
                          <span className="font-mono text-xs text-zinc-500 dark:text-zinc-400">{row.key.prefix}…</span>
                        </>
                      ) : (
                        <span className="text-zinc-500">—</span>
                      )}
                    </TD>
                    <TD className="font-mono text-xs">{row.modelId}</TD>
                    <TD className="text-right tabular-nums">
                      {integer.format(row.inputTokens)} / {integer.format(row.outputTokens)}
                    </TD>
                    <TD className="text-right tabular-nums">{displayUsd(row.costMicros)}</TD>
                    <TD>
                      <Badge tone={STATUS[row.status].tone}>{STATUS[row.status].label}</Badge>
                    </TD>
                    <TD className="text-right tabular-nums">{integer.format(row.latencyMs)} ms</TD>
                  </TR>
                ))}
              </TBody>
            </Table>
            {cursor || recent.nextCursor ? (
              <div className="flex justify-between border-t border-zinc-200 px-5 py-3 text-sm dark:border-zinc-800">
                {cursor ? (
                  <Link href={`/usage?period=${period}`} className={linkClasses}>
                    ← Newest
                  </Link>
                ) : (
                  <span />
                )}
                {recent.nextCursor ? (
                  <Link href={`/usage?period=${period}&cursor=${encodeURIComponent(recent.nextCursor)}`} className={linkClasses}>
                    Older requests →
                  </Link>
                ) : null}
              </div>
            ) : null}
          </>
        )}
      </Card>

      <Card className="mt-6" aria-labelledby="getting-started-heading">
        <CardHeader
          id="getting-started-heading"
          title="Getting started"
          description={
            <>
              Any OpenAI-compatible client works: set its base URL and use one of your{" "}
              <Link href="/keys" className={linkClasses}>
                API keys
              </Link>
              .
            </>
          }
        />
        <CardBody className="space-y-4">
          <div>
            <p className="text-sm font-medium">Base URL</p>
            <div className="mt-1 flex flex-wrap items-center gap-2">
              <code className="min-w-0 rounded-md bg-zinc-100 px-2 py-1 font-mono text-sm break-all dark:bg-zinc-800">{baseUrl}</code>
              <CopyButton text={baseUrl} />
            </div>
          </div>
          <div>
            <div className="flex items-start justify-between gap-2">
              <p className="text-sm font-medium">Try it with curl (the sandbox model answers locally and costs a fraction of a cent)</p>
              <CopyButton text={curl} />
            </div>
            <pre className="mt-2 overflow-x-auto rounded-lg bg-zinc-950 p-4 font-mono text-xs leading-relaxed text-zinc-100 dark:border dark:border-zinc-800">
              <code>{curl}</code>
            </pre>
          </div>
        </CardBody>
      </Card>
    </>
  );
}

function Stat({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div className="rounded-xl border border-zinc-200 bg-white px-5 py-4 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
      <dt className="text-sm font-medium text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tracking-tight tabular-nums">{value}</dd>
    </div>
  );
}

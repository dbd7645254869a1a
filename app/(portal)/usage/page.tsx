import type { Metadata } from "next";
import { Suspense, type ReactNode } from "react";
import Link from "next/link";
import clsx from "clsx";
import { PageHeader } from "@/components/layout/page-header";
import { PageLoading } from "@/components/layout/page-loading";
import { TYPE_LABELS } from "@/components/usage/labels";
import { BalanceChart, RequestsChart, UsageChart, type UsagePoint } from "@/components/usage/usage-chart";
import { FilterProblems } from "@/components/usage/filter-problems";
import { RangeForm } from "@/components/usage/range-form";
import { UsageTabs } from "@/components/usage/usage-tabs";
import { buttonClasses } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { linkClasses } from "@/components/ui/link-classes";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { requireUser } from "@/lib/auth/session";
import { displayUsd } from "@/lib/money";
import { balanceTrend } from "@/lib/usage/balance-trend";
import { USAGE_PRESETS, parseUsageRange, type FilterProblem, type UsagePreset, type UsageRange } from "@/lib/usage/filter-params";
import { listUsage } from "@/lib/usage/list-usage";
import { usageSummary, type UsageAmounts } from "@/lib/usage/usage-summary";
import { UsageTable } from "@/components/usage/usage-table";

export const metadata: Metadata = { title: "Usage" };

const hourLabel = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" });
const dayLabel = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const integer = new Intl.NumberFormat("en-US");

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default function UsagePage({ searchParams }: { searchParams: SearchParams }) {
  // The loading state is this boundary rather than a loading.tsx: a usage/loading.tsx would wrap every page
  // under /usage, /usage/requests/[id] included, whose "not found" must be a real 404 — and a response that
  // has started streaming (a loading fallback sent) can only be a 200.
  return (
    <Suspense fallback={<PageLoading label="your usage" />}>
      <UsageDashboard searchParams={searchParams} />
    </Suspense>
  );
}

async function UsageDashboard({ searchParams }: { searchParams: SearchParams }) {
  const user = await requireUser();
  const ctx = { userId: user.userId };
  const parsed = parseUsageRange(await searchParams);
  // A period that cannot be drawn is said so beside the form, with the dates as typed — never another period's numbers.
  if (!parsed.ok) return <UsageHeader range={null} raw={parsed.raw} problems={parsed.problems} />;
  const { range } = parsed;
  const { from, to, bucket } = range;
  const [summary, trend, recent] = await Promise.all([
    usageSummary({ ctx, input: { from, to, bucket } }),
    balanceTrend({ ctx, input: { from, to, bucket } }),
    listUsage({ ctx, input: { from, to, limit: 10 } }),
  ]);

  const label = (d: Date) => (bucket === "hour" ? hourLabel : dayLabel).format(d);
  const types = summary.byType.map((t) => t.type).filter((t) => t !== "OTHER");
  const points: UsagePoint[] = summary.series.map((b) => ({
    label: label(b.start),
    requests: b.requests,
    costMicros: b.costMicros.toString(),
    byType: Object.fromEntries(Object.entries(b.byType).map(([t, v]) => [t, v.toString()])),
  }));
  const rangeText = range.preset ? `The last ${USAGE_PRESETS[range.preset].label}` : `${range.fromText} to ${range.toText}`;
  const busiest = summary.series.reduce<(typeof summary.series)[number] | null>((best, b) => (!best || b.costMicros > best.costMicros ? b : best), null);

  return (
    <>
      <UsageHeader range={range} raw={parsed.raw} problems={[]} />

      <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Stat
          label="Spend"
          value={displayUsd(summary.totals.costMicros)}
          testId="total-spend"
          hint={
            summary.totals.coveredMicros > 0n ? (
              <span data-testid="spend-split">
                {displayUsd(summary.totals.coveredMicros)} by subscription · {displayUsd(summary.totals.costMicros - summary.totals.coveredMicros)} from balance
              </span>
            ) : null
          }
        />
        <Stat label="Requests" value={integer.format(summary.totals.requests)} testId="total-requests" />
        <Stat
          label="Tokens in / out"
          value={
            <>
              {integer.format(summary.totals.inputTokens)}
              <span className="text-zinc-400 dark:text-zinc-500"> / </span>
              {integer.format(summary.totals.outputTokens)}
            </>
          }
        />
        <Stat label="Balance at the end" value={displayUsd(trend[trend.length - 1]?.balanceMicros ?? 0n)} />
      </dl>

      {summary.totals.requests === 0 ? (
        <Card className="mt-6">
          <EmptyState
            title="No requests in this period"
            action={
              <Link href="/getting-started" className={buttonClasses()}>
                Make your first request
              </Link>
            }
          >
            Requests you make with your keys show up here within seconds. Try a longer period, or call the API.
          </EmptyState>
        </Card>
      ) : (
        <>
          <Card className="mt-6" aria-labelledby="spend-heading">
            <CardHeader id="spend-heading" title={bucket === "hour" ? "Spend per hour" : "Spend per day"} description={`${rangeText}, by model type.`} />
            <CardBody>
              <UsageChart
                points={points}
                types={types}
                summary={`Bar chart of spend per ${bucket}. Total ${displayUsd(summary.totals.costMicros)}${busiest ? `; the most in one ${bucket} was ${displayUsd(busiest.costMicros)} (${label(busiest.start)})` : ""}.`}
              />
            </CardBody>
          </Card>
          <div className="mt-6 grid grid-cols-1 gap-6 lg:grid-cols-2">
            <Card aria-labelledby="requests-heading">
              <CardHeader id="requests-heading" title={bucket === "hour" ? "Requests per hour" : "Requests per day"} />
              <CardBody>
                <RequestsChart points={points} summary={`Bar chart of requests per ${bucket}; ${summary.totals.requests} in total.`} />
              </CardBody>
            </Card>
            <Card aria-labelledby="balance-trend-heading">
              <CardHeader
                id="balance-trend-heading"
                title="Balance"
                description={
                  <Link href="/billing/history" className={linkClasses}>
                    Balance history
                  </Link>
                }
              />
              <CardBody>
                <BalanceChart
                  points={trend.map((p) => ({ label: label(p.start), balanceMicros: p.balanceMicros.toString() }))}
                  summary={`Line chart of the balance; ${displayUsd(trend[0]?.balanceMicros ?? 0n)} at the start, ${displayUsd(trend[trend.length - 1]?.balanceMicros ?? 0n)} at the end.`}
                />
              </CardBody>
            </Card>
          </div>

          {/* Side by side from xl: at lg (1024 px) half the content is too narrow for a breakdown's four columns. */}
          <div className="mt-6 grid grid-cols-1 gap-6 xl:grid-cols-2">
            <Breakdown
              id="by-model"
              title="By model"
              total={summary.totals.costMicros}
              rows={summary.byModel.map((m) => ({
                key: m.modelId,
                label: <span className="font-mono text-xs">{m.modelId}</span>,
                href: `/usage/requests?model=${encodeURIComponent(m.modelId)}&from=${range.fromText}&to=${range.toText}`,
                ...m,
              }))}
            />
            <Breakdown
              id="by-key"
              title="By key"
              total={summary.totals.costMicros}
              rows={summary.byKey.map((k) => ({
                key: k.keyId ?? "none",
                label: k.name ? (
                  <>
                    {k.name} <span className="font-mono text-xs text-zinc-600 dark:text-zinc-400">{k.prefix}…</span>
                  </>
                ) : (
                  "Deleted key"
                ),
                href: k.keyId ? `/usage/requests?key=${k.keyId}&from=${range.fromText}&to=${range.toText}` : undefined,
                ...k,
              }))}
            />
            <Breakdown
              id="by-type"
              title="By model type"
              total={summary.totals.costMicros}
              rows={summary.byType.map((t) => ({ key: t.type, label: TYPE_LABELS[t.type] ?? t.type, ...t }))}
            />
          </div>

          <Card className="mt-6" aria-labelledby="recent-heading">
            <CardHeader
              id="recent-heading"
              title="Recent requests"
              description={
                <Link href={`/usage/requests?from=${range.fromText}&to=${range.toText}`} className={linkClasses}>
                  All requests in this period →
                </Link>
              }
            />
            <UsageTable rows={recent.items} caption="Recent requests" />
          </Card>
        </>
      )}
    </>
  );
}

/** Title, tabs, period and grouping controls; with `problems`, what is wrong with the period asked for, in its place. */
function UsageHeader({ range, raw, problems }: { range: UsageRange | null; raw: { from?: string; to?: string }; problems: FilterProblem[] }) {
  const base = (extra: Record<string, string>) => {
    const q = new URLSearchParams(range?.preset ? { range: range.preset } : { from: range?.fromText ?? "", to: range?.toText ?? "" });
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return `/usage?${q.toString()}`;
  };
  // Preset ranges fill the date inputs with the days they cover; a custom range shows the dates as they were asked for.
  const fromValue = range && range.preset ? range.fromText : (raw.from ?? range?.fromText);
  const toValue = range && range.preset ? range.toText : (raw.to ?? range?.toText);
  return (
    <>
      <PageHeader title="Usage" description="What your API keys did and what it cost. Times are UTC." />
      <UsageTabs current="/usage" />

      <div className="mb-6 flex flex-wrap items-end gap-4">
        <nav aria-label="Period" className="inline-flex rounded-lg border border-zinc-300 bg-white p-0.5 dark:border-zinc-700 dark:bg-zinc-900">
          {(Object.keys(USAGE_PRESETS) as UsagePreset[]).map((p) => (
            <Link
              key={p}
              href={`/usage?range=${p}`}
              aria-current={p === range?.preset ? "page" : undefined}
              className={clsx(
                "rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-indigo-500",
                p === range?.preset ? "bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900" : "text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white",
              )}
            >
              {USAGE_PRESETS[p].label}
            </Link>
          ))}
        </nav>
        <RangeForm from={fromValue} to={toValue} bucket={range?.bucket} problems={problems} problemsId="range-problems" />
        {range ? (
          <nav aria-label="Group by" className="ml-auto inline-flex rounded-lg border border-zinc-300 bg-white p-0.5 dark:border-zinc-700 dark:bg-zinc-900">
            {(["hour", "day"] as const).map((b) => (
              <Link
                key={b}
                href={base({ bucket: b })}
                aria-current={b === range.bucket ? "true" : undefined}
                className={clsx(
                  "rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-indigo-500",
                  b === range.bucket ? "bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900" : "text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white",
                )}
              >
                {b === "hour" ? "Hourly" : "Daily"}
              </Link>
            ))}
          </nav>
        ) : null}
      </div>
      <FilterProblems id="range-problems" problems={problems} title="This period can't be shown" />
      {range ? null : (
        <Card>
          <EmptyState title="No usage shown">Correct the dates above and choose Show, or pick one of the periods.</EmptyState>
        </Card>
      )}
    </>
  );
}

function Breakdown({
  id,
  title,
  rows,
  total,
}: {
  id: string;
  title: string;
  total: bigint;
  rows: Array<UsageAmounts & { key: string; label: ReactNode; href?: string }>;
}) {
  return (
    <Card aria-labelledby={`${id}-heading`}>
      <CardHeader id={`${id}-heading`} title={title} />
      {/* On phones the share column is dropped and the padding halved, so the table fits without scrolling. */}
      <Table caption={`Spend ${title.toLowerCase()}`}>
        <THead>
          <TR>
            <TH className="max-sm:px-2">{title.replace(/^By /, "").replace(/^./, (c) => c.toUpperCase())}</TH>
            <TH className="text-right max-sm:px-2">Requests</TH>
            <TH className="text-right max-sm:px-2">Spend</TH>
            <TH className="hidden text-right sm:table-cell">Share</TH>
          </TR>
        </THead>
        <TBody>
          {rows.map((r) => (
            <TR key={r.key}>
              <TD className="max-w-36 truncate max-sm:px-2 sm:max-w-56">
                {r.href ? (
                  <Link href={r.href} className={linkClasses}>
                    {r.label}
                  </Link>
                ) : (
                  r.label
                )}
              </TD>
              <TD className="text-right tabular-nums max-sm:px-2">{integer.format(r.requests)}</TD>
              <TD className="text-right tabular-nums max-sm:px-2">{displayUsd(r.costMicros)}</TD>
              <TD className="hidden text-right tabular-nums sm:table-cell">
                {total > 0n ? `${(Number((r.costMicros * 1000n) / total) / 10).toFixed(1)}%` : "—"}
              </TD>
            </TR>
          ))}
        </TBody>
      </Table>
    </Card>
  );
}

function Stat({ label, value, testId, hint }: { label: string; value: ReactNode; testId?: string; hint?: ReactNode }) {
  return (
    <div className="rounded-xl border border-zinc-200 bg-white px-5 py-4 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
      <dt className="text-sm font-medium text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tracking-tight tabular-nums" data-testid={testId}>
        {value}
      </dd>
      {hint ? <dd className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">{hint}</dd> : null}
    </div>
  );
}

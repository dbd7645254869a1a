import type { Metadata } from "next";
import Link from "next/link";
import { UsageGroupRequests } from "@/components/billing/usage-group-requests";
import { PageHeader } from "@/components/layout/page-header";
import { Alert } from "@/components/ui/alert";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { linkClasses } from "@/components/ui/link-classes";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { requireUser } from "@/lib/auth/session";
import { displayUsd } from "@/lib/money";
import { balanceHistory, type LedgerKindName } from "@/lib/usage/balance-history";
import { buttonClasses } from "@/components/ui/button";

export const metadata: Metadata = { title: "Balance history" };

const KIND: Record<LedgerKindName, { label: string; tone: BadgeTone }> = {
  TOPUP: { label: "Top-up", tone: "green" },
  USAGE: { label: "Usage", tone: "blue" },
  REFUND: { label: "Refund", tone: "purple" },
  ADJUSTMENT: { label: "Adjustment", tone: "neutral" },
};

const dayFormat = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });

export default async function BalanceHistoryPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser();
  const { before: beforeText } = await searchParams;
  const before = typeof beforeText === "string" && !Number.isNaN(Date.parse(beforeText)) ? new Date(beforeText) : undefined;
  const history = await balanceHistory({ ctx: { userId: user.userId }, input: { before, days: 30 } });
  const reconciled = history.ledgerSumMicros === history.balanceMicros;

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/billing" className={linkClasses}>
          ← Billing
        </Link>
      </p>
      <PageHeader
        title="Balance history"
        description="Every change to your balance: top-ups, refunds, adjustments, and usage summed per day and key. Days are UTC."
      />
      <dl className="mb-6 grid gap-4 sm:grid-cols-3">
        <div className="rounded-xl border border-zinc-200 bg-white px-5 py-4 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
          <dt className="text-sm font-medium text-zinc-600 dark:text-zinc-400">Balance now</dt>
          <dd className="mt-1 text-2xl font-semibold tabular-nums" data-testid="history-balance" data-micros={history.balanceMicros.toString()}>
            {displayUsd(history.balanceMicros)}
          </dd>
        </div>
        <div className="rounded-xl border border-zinc-200 bg-white px-5 py-4 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
          <dt className="text-sm font-medium text-zinc-600 dark:text-zinc-400">Sum of every entry</dt>
          <dd className="mt-1 text-2xl font-semibold tabular-nums">{displayUsd(history.ledgerSumMicros)}</dd>
        </div>
        <div className="rounded-xl border border-zinc-200 bg-white px-5 py-4 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
          <dt className="text-sm font-medium text-zinc-600 dark:text-zinc-400">Reconciliation</dt>
          <dd className="mt-2">
            {reconciled ? <Badge tone="green">Balance matches the ledger</Badge> : <Badge tone="red">Mismatch — contact support</Badge>}
          </dd>
        </div>
      </dl>
      {!reconciled ? (
        <Alert tone="error" role="alert" className="mb-6">
          Your balance and the sum of its entries differ. Nothing is lost: please contact support so we can look into it.
        </Alert>
      ) : null}

      <Card aria-labelledby="history-heading">
        <CardHeader
          id="history-heading"
          title={`${dayFormat.format(history.windowStart)} – ${before ? dayFormat.format(new Date(before.getTime() - 1)) : "today"}`}
          description={`Opening balance ${displayUsd(history.openingBalanceMicros)}, closing balance ${displayUsd(history.closingBalanceMicros)}.`}
        />
        {history.items.length === 0 ? (
          <EmptyState
            title="Nothing in this period"
            action={
              before ? null : (
                <Link href="/billing" className={buttonClasses()}>
                  Add funds
                </Link>
              )
            }
          >
            {before ? "No balance changes in these 30 days." : "Top-ups and the cost of your requests appear here."}
          </EmptyState>
        ) : (
          <Table caption="Balance history, newest first" stack>
            <THead>
              <TR>
                <TH>Date</TH>
                <TH>Type</TH>
                <TH>Details</TH>
                <TH className="text-right">Amount</TH>
                <TH className="text-right">Balance after</TH>
              </TR>
            </THead>
            <TBody>
              {history.items.map((item) => (
                <TR key={item.id} data-testid="history-row" data-amount-micros={item.amountMicros.toString()} className="align-top">
                  <TD>{item.kind === "USAGE" && item.day ? dayFormat.format(item.day) : <DateTime value={item.at} />}</TD>
                  <TD label="Type">
                    <Badge tone={KIND[item.kind].tone}>{KIND[item.kind].label}</Badge>
                  </TD>
                  <TD label="Details" className="whitespace-normal">
                    {item.kind === "USAGE" ? (
                      <>
                        <span className="font-medium">{item.key ? `${item.key.name} (${item.key.prefix}…)` : "Requests without a key"}</span>
                        {item.keyId ? (
                          <UsageGroupRequests
                            keyId={item.keyId}
                            from={item.firstAt.toISOString()}
                            to={new Date(item.at.getTime() + 1).toISOString()}
                            count={item.entries}
                          />
                        ) : (
                          <span className="block text-sm text-zinc-600 dark:text-zinc-400">{item.description}</span>
                        )}
                      </>
                    ) : (
                      item.description
                    )}
                  </TD>
                  <TD label="Amount" className={item.amountMicros < 0n ? "text-right tabular-nums" : "text-right font-medium text-emerald-700 tabular-nums dark:text-emerald-400"}>
                    {item.amountMicros > 0n ? "+" : ""}
                    {displayUsd(item.amountMicros)}
                  </TD>
                  <TD label="Balance after" className="text-right tabular-nums">{displayUsd(item.balanceAfterMicros)}</TD>
                </TR>
              ))}
              <TR>
                <TD colSpan={4} className="text-right text-zinc-600 dark:text-zinc-400">
                  Opening balance
                </TD>
                <TD label="Balance" className="text-right tabular-nums">{displayUsd(history.openingBalanceMicros)}</TD>
              </TR>
            </TBody>
          </Table>
        )}
        {before || history.olderBefore ? (
          <nav aria-label="Pages" className="flex justify-between border-t border-zinc-200 px-5 py-3 text-sm dark:border-zinc-800">
            {before ? (
              <Link href="/billing/history" className={linkClasses}>
                ← Latest
              </Link>
            ) : (
              <span />
            )}
            {history.olderBefore ? (
              <Link href={`/billing/history?before=${encodeURIComponent(history.olderBefore.toISOString())}`} className={linkClasses}>
                Older →
              </Link>
            ) : null}
          </nav>
        ) : null}
      </Card>
    </>
  );
}

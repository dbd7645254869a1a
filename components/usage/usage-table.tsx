import Link from "next/link";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { DateTime } from "@/components/ui/date-time";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { displayUsd } from "@/lib/money";
import type { UsageRow } from "@/lib/usage/schemas";

export const STATUS: Record<UsageRow["status"], { label: string; tone: BadgeTone }> = {
  SUCCEEDED: { label: "Succeeded", tone: "green" },
  PARTIAL: { label: "Partial", tone: "yellow" },
  FAILED: { label: "Failed", tone: "red" },
};

/** Who paid: the prepaid balance, a subscription allowance, or both. */
export const PAID_BY: Record<UsageRow["paidBy"], { label: string; tone: BadgeTone }> = {
  BALANCE: { label: "Balance", tone: "neutral" },
  SUBSCRIPTION: { label: "Subscription", tone: "purple" },
  MIXED: { label: "Mixed", tone: "blue" },
};

const integer = new Intl.NumberFormat("en-US");
const linkClasses =
  "font-medium text-indigo-700 underline-offset-4 hover:underline focus-visible:rounded-sm focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-400";

/** Requests, newest first; the time links to the request's detail view. */
export function UsageTable({ rows, caption }: { rows: UsageRow[]; caption: string }) {
  return (
    <Table caption={caption}>
      <THead>
        <TR>
          <TH>Time</TH>
          <TH>Key</TH>
          <TH>Model</TH>
          <TH className="text-right">Tokens (in / out)</TH>
          <TH className="text-right">Cost</TH>
          <TH>Paid by</TH>
          <TH>Status</TH>
          <TH className="text-right">Latency</TH>
        </TR>
      </THead>
      <TBody>
        {rows.map((row) => (
          <TR key={row.id} data-request-id={row.requestId}>
            <TD>
              <Link href={`/usage/requests/${row.id}`} className={linkClasses} aria-label={`Request ${row.requestId}, details`}>
                <DateTime value={row.createdAt} />
              </Link>
            </TD>
            <TD>
              {row.key ? (
                <>
                  <span className="font-medium">{row.key.name}</span>{" "}
                  <span className="block font-mono text-xs text-zinc-600 dark:text-zinc-400">{row.key.prefix}…</span>
                </>
              ) : (
                <span className="text-zinc-600 dark:text-zinc-400">—</span>
              )}
            </TD>
            <TD className="font-mono text-xs">{row.modelId}</TD>
            <TD className="text-right tabular-nums">
              {integer.format(row.inputTokens)} / {integer.format(row.outputTokens)}
            </TD>
            <TD className="text-right tabular-nums">{displayUsd(row.costMicros)}</TD>
            <TD data-testid="paid-by">
              {/* A failed request cost nothing: nobody paid. */}
              {row.costMicros === 0n && row.status === "FAILED" ? (
                <span className="text-zinc-500 dark:text-zinc-400">—<span className="sr-only">nothing charged</span></span>
              ) : (
                <Badge tone={PAID_BY[row.paidBy].tone}>{PAID_BY[row.paidBy].label}</Badge>
              )}
              {row.paidBy === "MIXED" ? (
                <span className="block text-xs text-zinc-600 tabular-nums dark:text-zinc-400">{displayUsd(row.coveredMicros)} covered</span>
              ) : null}
            </TD>
            <TD>
              <Badge tone={STATUS[row.status].tone}>{STATUS[row.status].label}</Badge>
            </TD>
            <TD className="text-right tabular-nums">{integer.format(row.latencyMs)} ms</TD>
          </TR>
        ))}
      </TBody>
    </Table>
  );
}

import Link from "next/link";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { DateTime } from "@/components/ui/date-time";
import { linkClasses } from "@/components/ui/link-classes";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { displayUsd } from "@/lib/money";
import type { UsageRow } from "@/lib/usage/schemas";
import { usageQuantity } from "@/lib/usage/usage-quantity";
import { cappedOutputTokens } from "@/lib/usage/capped-note";

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

/** A model id that may break after each "/" ("anthropic/" over "claude-3-5-sonnet-20241022"), never inside a name. */
function ModelId({ id }: { id: string }) {
  const parts = id.split("/");
  return (
    <>
      {parts.map((part, i) => (
        <span key={i} className="whitespace-nowrap">
          {part}
          {i < parts.length - 1 ? (
            <>
              /<wbr />
            </>
          ) : null}
        </span>
      ))}
    </>
  );
}

/** Tokens in / out, or for a request billed per unit (images, tasks) "—" and what it made ("2 images"). */
export function Quantity({ row }: { row: Pick<UsageRow, "endpoint" | "inputTokens" | "outputTokens" | "units"> }) {
  const quantity = usageQuantity(row);
  if (quantity.tokenBilled) {
    return (
      <>
        {integer.format(row.inputTokens)}&nbsp;/ {integer.format(row.outputTokens)}
      </>
    );
  }
  return (
    <>
      <span className="text-zinc-500 dark:text-zinc-400" title="Not billed by the token">
        —<span className="sr-only">no tokens</span>
      </span>
      {quantity.units ? <span className="block text-xs text-zinc-600 dark:text-zinc-400">{quantity.units}</span> : null}
    </>
  );
}

/** Under a request's status: the output cap the balance set (x-max-tokens-capped), from the record's note. */
export function CappedNote({ note }: { note: string | null }) {
  const capped = cappedOutputTokens(note);
  if (capped === null) return null;
  return (
    <span className="block text-xs text-amber-800 dark:text-amber-300" data-testid="output-capped">
      Output capped at {integer.format(capped)} tokens
    </span>
  );
}

/**
 * Requests, newest first; the time links to the request's detail view. Fits a 1280 px window's card (about
 * 1100 px): dense cells, the time under the date, a long key name cut short (the whole name in its title), a
 * long model id wrapped after its "/", tokens and a mixed payment's covered amount wrapped when they must, and
 * below xl no latency column (the detail view has it). On a phone (below sm) each request is a card of its own,
 * one labelled value a line (Table's `stack`), latency included.
 */
export function UsageTable({ rows, caption }: { rows: UsageRow[]; caption: string }) {
  return (
    <Table caption={caption} dense stack>
      <THead>
        <TR>
          <TH>Time</TH>
          <TH>Key</TH>
          <TH>Model</TH>
          <TH className="text-right whitespace-normal">
            Tokens <span className="whitespace-nowrap">(in / out)</span>
          </TH>
          <TH className="text-right">Cost</TH>
          <TH>Paid by</TH>
          <TH>Status</TH>
          <TH className="hidden text-right xl:table-cell">Latency</TH>
        </TR>
      </THead>
      <TBody>
        {rows.map((row) => (
          <TR key={row.id} data-request-id={row.requestId}>
            <TD label="Time">
              <Link href={`/usage/requests/${row.id}`} className={linkClasses} aria-label={`Request ${row.requestId}, details`}>
                <DateTime value={row.createdAt} stacked />
              </Link>
            </TD>
            <TD label="Key">
              {row.key ? (
                <>
                  <span className="block max-w-40 truncate font-medium" title={row.key.name}>
                    {row.key.name}
                  </span>{" "}
                  <span className="block font-mono text-xs text-zinc-600 dark:text-zinc-400">{row.key.prefix}…</span>
                </>
              ) : (
                <span className="text-zinc-600 dark:text-zinc-400">—</span>
              )}
            </TD>
            <TD label="Model" className="font-mono text-xs whitespace-normal" title={row.modelId}>
              <ModelId id={row.modelId} />
            </TD>
            <TD label="Tokens (in / out)" className="text-right tabular-nums whitespace-normal" data-testid="tokens">
              <Quantity row={row} />
            </TD>
            <TD label="Cost" className="text-right tabular-nums">{displayUsd(row.costMicros)}</TD>
            <TD label="Paid by" data-testid="paid-by" className="whitespace-normal">
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
            <TD label="Status" className="whitespace-normal">
              <Badge tone={STATUS[row.status].tone}>{STATUS[row.status].label}</Badge>
              <CappedNote note={row.note} />
            </TD>
            <TD label="Latency" className="hidden text-right tabular-nums xl:table-cell">{integer.format(row.latencyMs)} ms</TD>
          </TR>
        ))}
      </TBody>
    </Table>
  );
}

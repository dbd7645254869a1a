import type { Metadata } from "next";
import type { ReactNode } from "react";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/layout/page-header";
import { CappedNote, PAID_BY, STATUS } from "@/components/usage/usage-table";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { linkClasses } from "@/components/ui/link-classes";
import { requireUser } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { displayUsd } from "@/lib/money";
import { getUsageRecord } from "@/lib/usage/get-usage-record";
import { usageQuantity } from "@/lib/usage/usage-quantity";

export const metadata: Metadata = { title: "Request" };

const integer = new Intl.NumberFormat("en-US");

// No loading.tsx here or above (the list pages keep theirs as a <Suspense> inside the page): a loading
// fallback starts the response as a 200, and then notFound() — another user's id, a malformed one — could no
// longer answer 404.
export default async function RequestDetailPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const record = await getUsageRecord({ ctx: { userId: user.userId }, input: { id } }).catch((error: unknown) => {
    if (isAppError(error) && error.code === "not_found") return null;
    throw error;
  });
  if (!record) notFound();
  const quantity = usageQuantity(record);
  const price = (micros: bigint | null, unit: string) => (micros === null ? "—" : `${displayUsd(micros)} ${unit}`);

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/usage/requests" className={linkClasses}>
          ← Request log
        </Link>
      </p>
      <PageHeader title="Request" description={<span className="font-mono">{record.requestId}</span>} />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card aria-labelledby="request-heading">
          <CardHeader id="request-heading" title="What happened" />
          <CardBody>
            <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
              <Item label="Time">
                <DateTime value={record.createdAt} /> UTC
              </Item>
              <Item label="Status">
                <Badge tone={STATUS[record.status].tone}>{STATUS[record.status].label}</Badge>
                <CappedNote note={record.note} />
              </Item>
              <Item label="Key">{record.key ? `${record.key.name} (${record.key.prefix}…)` : "—"}</Item>
              <Item label="Endpoint">
                <span className="font-mono">{record.endpoint}</span>
                {record.stream ? " (streamed)" : ""}
              </Item>
              <Item label="Model">
                <span className="font-mono">{record.modelId}</span>
              </Item>
              <Item label="Provider">{record.providerId ?? "—"}</Item>
              <Item label="Upstream model">
                <span className="font-mono">{record.upstreamModel ?? "—"}</span>
              </Item>
              <Item label="Latency">{integer.format(record.latencyMs)} ms</Item>
              <Item label="Time to first token">{record.ttftMs === null ? "—" : `${integer.format(record.ttftMs)} ms`}</Item>
              <Item label="Note">{record.note ?? "—"}</Item>
              <Item label="Record id">
                <span className="font-mono text-xs">{record.id}</span>
              </Item>
            </dl>
          </CardBody>
        </Card>
        <Card aria-labelledby="charge-heading">
          <CardHeader id="charge-heading" title="What it cost" />
          <CardBody>
            <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
              <Item label="Input tokens">{quantity.tokenBilled ? integer.format(record.inputTokens) : "—"}</Item>
              <Item label="Cached input tokens">{quantity.tokenBilled ? integer.format(record.cachedTokens) : "—"}</Item>
              <Item label="Output tokens">{quantity.tokenBilled ? integer.format(record.outputTokens) : "—"}</Item>
              <Item label="Units (images, tasks)">{quantity.units ?? integer.format(record.units)}</Item>
              <Item label="Input price">{price(record.inputPerMtokMicros, "per 1M tokens")}</Item>
              <Item label="Output price">{price(record.outputPerMtokMicros, "per 1M tokens")}</Item>
              <Item label="Unit price">{price(record.unitPriceMicros, "per unit")}</Item>
              <Item label="Cost">
                <span className="text-base font-semibold tabular-nums" data-testid="request-cost">
                  {displayUsd(record.costMicros)}
                </span>
              </Item>
              <Item label="Paid by">
                {record.costMicros === 0n && record.status === "FAILED" ? (
                  "Nothing charged"
                ) : (
                  <Badge tone={PAID_BY[record.paidBy].tone}>{PAID_BY[record.paidBy].label}</Badge>
                )}
              </Item>
              <Item label="Covered by subscription">
                <span className="tabular-nums" data-testid="request-covered">
                  {displayUsd(record.coveredMicros)}
                </span>
              </Item>
              <Item label="Charged to balance">
                <span className="tabular-nums" data-testid="request-charged">
                  {displayUsd(record.costMicros - record.coveredMicros)}
                </span>
              </Item>
            </dl>
          </CardBody>
        </Card>
      </div>
    </>
  );
}

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="font-medium text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </>
  );
}

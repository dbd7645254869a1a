import type { Metadata } from "next";
import { CreateCodesForm } from "@/components/admin/create-codes-form";
import { PageHeader } from "@/components/layout/page-header";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { TD, TR } from "@/components/ui/table";
import { TableCard } from "@/components/ui/table-card";
import { listCodeBatches } from "@/lib/admin/list-code-batches";
import { requireAdmin } from "@/lib/auth/require-admin";
import { displayUsd } from "@/lib/money";

export const metadata: Metadata = { title: "Redemption codes · Admin" };

export default async function AdminCodesPage() {
  const admin = await requireAdmin();
  const batches = await listCodeBatches({ ctx: admin });
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return (
    <>
      <PageHeader title="Redemption codes" description="Single-use codes that add credit to a customer's balance." />
      <Card className="mb-6" aria-labelledby="create-codes-heading">
        <CardHeader id="create-codes-heading" title="Create a batch" />
        <CardBody>
          <CreateCodesForm defaultExpiry={iso(now + 90 * 86_400_000)} minDate={iso(now)} />
        </CardBody>
      </Card>
      <TableCard
        id="batches-heading"
        title="Batches"
        description="The 50 most recent."
        caption="Batches of redemption codes"
        columns={["Created", "By", { label: "Worth each", align: "right" }, { label: "Redeemed", align: "right" }, "Expires"]}
        empty={batches.length === 0 && <EmptyState title="No codes yet">Batches you create are listed here with how many were redeemed.</EmptyState>}
      >
        {batches.map((b) => (
          <TR key={b.batchId}>
            <TD>
              <DateTime value={b.createdAt} />
            </TD>
            <TD className="max-w-48 truncate">{b.createdBy}</TD>
            <TD className="text-right tabular-nums">{displayUsd(b.amountMicros)}</TD>
            <TD className="text-right tabular-nums">
              {b.redeemed} of {b.total}
            </TD>
            <TD>
              <DateTime value={b.expiresAt} />
              {b.expiresAt.getTime() < now ? (
                <span className="ml-2">
                  <Badge>Expired</Badge>
                </span>
              ) : null}
            </TD>
          </TR>
        ))}
      </TableCard>
    </>
  );
}

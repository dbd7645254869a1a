// The Plans page's invoice list: what each subscription period cost, and each upgrade's prorated charge.
import { dateText } from "@/components/subscriptions/format";
import { Card, CardHeader } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { ReceiptLink } from "@/components/ui/receipt-link";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import type { SubscriptionInvoiceView } from "@/lib/billing/subscriptions/list-invoices";
import { displayUsd } from "@/lib/money";

/** How an invoice was paid, where that is not a card charge with a receipt. */
const NOT_CHARGED: Partial<Record<SubscriptionInvoiceView["provider"], string>> = {
  SANDBOX: "Sandbox: nothing charged",
  MANUAL: "Invoiced to you separately",
};

export function InvoiceHistory({ invoices }: { invoices: SubscriptionInvoiceView[] }) {
  return (
    <Card className="mb-10" aria-labelledby="invoices-heading">
      <CardHeader
        id="invoices-heading"
        title="Subscription invoices"
        description="Each period your subscriptions were paid for, and what an upgrade charged for the rest of its period; newest first. Top-ups are under Billing."
      />
      <Table caption="Subscription invoices" stack>
        <THead>
          <TR>
            <TH>Date</TH>
            <TH>For</TH>
            <TH className="text-right">Amount</TH>
            <TH>Receipt</TH>
          </TR>
        </THead>
        <TBody>
          {invoices.map((invoice) => (
            <TR key={invoice.id}>
              <TD>
                <DateTime value={invoice.createdAt} />
              </TD>
              <TD label="For" className="whitespace-normal">
                <span className="font-medium">{invoice.subscriptionName}</span>
                {invoice.kind === "PRORATION" ? ": upgrade, prorated for " : ": "}
                {dateText.formatRange(invoice.periodStart, invoice.periodEnd)}
              </TD>
              <TD label="Amount" className="text-right tabular-nums">
                <span className="font-medium">{displayUsd(invoice.amountMicros)}</span>
                {NOT_CHARGED[invoice.provider] ? (
                  <span className="block text-xs text-zinc-600 dark:text-zinc-400">{NOT_CHARGED[invoice.provider]}</span>
                ) : null}
              </TD>
              <TD label="Receipt">
                {invoice.receiptUrl ? (
                  <ReceiptLink href={invoice.receiptUrl} />
                ) : (
                  <span className="text-zinc-500 dark:text-zinc-400">—</span>
                )}
              </TD>
            </TR>
          ))}
        </TBody>
      </Table>
    </Card>
  );
}

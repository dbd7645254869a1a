-- A subscription invoice is either a period's own (it opened that period) or a proration: what Stripe
-- charges at once for an upgrade in the middle of a period (invoice.paid with billing_reason
-- subscription_update). Both are shown to the customer on the Plans page; only a period's opens it.
-- Existing rows are all period invoices (prorations were not recorded before this migration).
CREATE TYPE "SubscriptionInvoiceKind" AS ENUM ('PERIOD', 'PRORATION');

ALTER TABLE "subscription_invoices" ADD COLUMN "kind" "SubscriptionInvoiceKind" NOT NULL DEFAULT 'PERIOD';

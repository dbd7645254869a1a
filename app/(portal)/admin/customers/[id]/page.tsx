import { randomUUID } from "node:crypto";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { AdminForm } from "@/components/admin/admin-form";
import { PAYMENT_STATUS } from "@/components/billing/payment-status";
import { ConfirmAction } from "@/components/admin/confirm-action";
import { Stat } from "@/components/admin/stat";
import { CustomerSubscriptions } from "@/components/subscriptions/customer-subscriptions";
import { Quantity, STATUS as USAGE_STATUS } from "@/components/usage/usage-table";
import { PageHeader } from "@/components/layout/page-header";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { FieldHint, Input, Label } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { TD, TR } from "@/components/ui/table";
import { TableCard } from "@/components/ui/table-card";
import { getCustomer } from "@/lib/admin/get-customer";
import { listCustomerSubscriptions } from "@/lib/admin/list-customer-subscriptions";
import { requireAdmin, type AdminUser } from "@/lib/auth/require-admin";
import { isAppError } from "@/lib/errors";
import { displayUsd } from "@/lib/money";
import { adjustBalanceAction, refundAction, releaseHoldAction, setKeyDisabledAction, setUserDisabledAction } from "../actions";

export const metadata: Metadata = { title: "Customer · Admin" };

const LEDGER_KIND: Record<string, string> = { TOPUP: "Top-up", USAGE: "Usage", ADJUSTMENT: "Adjustment", REFUND: "Refund" };
const muted = "text-zinc-500 dark:text-zinc-400";

function ageOf(date: Date, now: number) {
  const minutes = Math.floor((now - date.getTime()) / 60_000);
  if (minutes < 1) return "under a minute";
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h`;
}

// No loading.tsx here or above (the customers list keeps its loading state as a <Suspense> inside the page): a
// loading fallback starts the response as a 200, and then notFound() — an unknown id — could no longer answer
// 404. The customer is read first; their subscriptions (a query of their own) stream in behind a skeleton.
export default async function AdminCustomerPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ subscription?: string }> }) {
  const admin = await requireAdmin();
  const [{ id }, query] = await Promise.all([params, searchParams]);
  const c = await getCustomer({ ctx: admin, input: { id } }).catch((error: unknown) => {
    if (isAppError(error) && error.code === "not_found") notFound();
    throw error;
  });
  const { user, account } = c;
  const now = Date.now();
  const self = user.id === admin.userId;

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/admin/customers" className="text-indigo-700 underline-offset-4 hover:underline dark:text-indigo-400">
          ← Customers
        </Link>
      </p>
      <PageHeader
        title={user.email}
        description={
          <>
            {user.name ? `${user.name} · ` : ""}Joined <DateTime value={user.createdAt} withTime={false} /> · {user.role === "ADMIN" ? "Administrator" : "User"}{" "}
            {user.disabledAt ? <Badge tone="red">Disabled</Badge> : <Badge tone="green">Active</Badge>}
          </>
        }
        action={
          self ? null : user.disabledAt ? (
            <ConfirmAction
              action={setUserDisabledAction.bind(null, user.id, false)}
              label="Re-enable account"
              variant="primary"
              title={`Re-enable ${user.email}?`}
              description="They can sign in again and their keys (unless revoked or disabled one by one) work again right away."
              confirmLabel="Re-enable account"
              dismissLabel="Leave disabled"
            />
          ) : (
            <ConfirmAction
              action={setUserDisabledAction.bind(null, user.id, true)}
              label="Disable account"
              title={`Disable ${user.email}?`}
              description="They cannot sign in, and every one of their API keys is refused at once on every instance. Their balance stays; you can re-enable the account later."
              confirmLabel="Disable account"
              dismissLabel="Keep active"
            />
          )
        }
      />

      <dl className="mb-6 grid gap-4 sm:grid-cols-3">
        <Stat label="Balance" value={<span data-testid="customer-balance">{displayUsd(account.balanceMicros)}</span>} />
        <Stat label="Reserved" value={displayUsd(account.reservedMicros)} hint={`${c.holds.length} active hold${c.holds.length === 1 ? "" : "s"}`} />
        <Stat label="Available" value={displayUsd(account.balanceMicros - account.reservedMicros)} />
      </dl>

      <div className="grid items-start gap-6 lg:grid-cols-2">
        <Card aria-labelledby="adjust-heading">
          <CardHeader id="adjust-heading" title="Adjust the balance" description="A credit or debit with its reason, written to the ledger and the audit log together." />
          <CardBody>
            <AdminForm action={adjustBalanceAction.bind(null, user.id)} submitLabel="Post adjustment" pendingText="Posting…">
              <input type="hidden" name="idempotencyKey" value={randomUUID()} />
              <fieldset>
                <legend className="text-sm font-medium">Direction</legend>
                <div className="mt-2 flex gap-4 text-sm">
                  <label className="flex items-center gap-2">
                    <input type="radio" name="direction" value="credit" defaultChecked className="size-4 accent-indigo-600" /> Credit (add)
                  </label>
                  <label className="flex items-center gap-2">
                    <input type="radio" name="direction" value="debit" className="size-4 accent-indigo-600" /> Debit (take away)
                  </label>
                </div>
              </fieldset>
              <div>
                <Label htmlFor="amount">Amount (USD)</Label>
                <Input id="amount" name="amount" inputMode="decimal" autoComplete="off" required className="mt-1" placeholder="5.00" aria-describedby="amount-hint" />
                <FieldHint id="amount-hint">A debit cannot take the available balance below $0.</FieldHint>
              </div>
              <div>
                <Label htmlFor="reason">Reason</Label>
                <Input id="reason" name="reason" required minLength={3} maxLength={500} className="mt-1" placeholder="Goodwill credit for the outage on …" />
              </div>
            </AdminForm>
          </CardBody>
        </Card>

        <TableCard
          id="holds-heading"
          title="Active holds"
          description="Money set aside for requests still running. Release one only if it is stuck."
          caption="Active holds"
          columns={["Request", { label: "Amount", align: "right" }, "Age", { label: "Actions", srOnly: true }]}
          empty={c.holds.length === 0 && <EmptyState title="No active holds" />}
        >
          {c.holds.map((h) => (
            <TR key={h.id}>
              <TD className="max-w-40 truncate font-mono text-xs" title={h.requestId}>
                {h.requestId}
              </TD>
              <TD className="text-right tabular-nums">{displayUsd(h.amountMicros)}</TD>
              <TD>
                {ageOf(h.createdAt, now)}
                {h.expiresAt.getTime() < now ? (
                  <span className="ml-1">
                    <Badge tone="red">Expired</Badge>
                  </span>
                ) : null}
              </TD>
              <TD className="text-right">
                <ConfirmAction
                  action={releaseHoldAction.bind(null, user.id, h.id)}
                  label="Release"
                  accessibleLabel={`Release the hold of ${displayUsd(h.amountMicros)} for request ${h.requestId}`}
                  title="Release this hold?"
                  description={`${displayUsd(h.amountMicros)} goes back to the available balance without charging. If the request is still running, it will not be charged either.`}
                  confirmLabel="Release hold"
                  dismissLabel="Keep the hold"
                />
              </TD>
            </TR>
          ))}
        </TableCard>
      </div>

      <Suspense fallback={<SubscriptionsLoading />}>
        <Subscriptions admin={admin} userId={user.id} saved={query.subscription === "saved"} />
      </Suspense>

      <TableCard
        className="mt-6"
        id="keys-heading"
        title="API keys"
        caption="API keys"
        columns={["Name", "Key", { label: "Spent", align: "right" }, "Last used", "Status", { label: "Actions", srOnly: true }]}
        empty={c.keys.length === 0 && <EmptyState title="No API keys" />}
      >
        {c.keys.map((k) => (
          <TR key={k.id}>
            <TD className="max-w-48 truncate font-medium" title={k.name}>
              {k.name}
            </TD>
            <TD className="font-mono text-xs">{k.prefix}…</TD>
            <TD className="text-right tabular-nums">
              {displayUsd(k.spentMicros)}
              {k.spendLimitMicros !== null ? <span className={muted}> / {displayUsd(k.spendLimitMicros)}</span> : null}
            </TD>
            <TD>{k.lastUsedAt ? <DateTime value={k.lastUsedAt} /> : <span className={muted}>Never</span>}</TD>
            <TD>
              {k.revokedAt ? (
                <Badge tone="red">Revoked</Badge>
              ) : k.disabledAt ? (
                <Badge tone="yellow">Disabled</Badge>
              ) : k.expiresAt && k.expiresAt.getTime() <= now ? (
                <Badge>Expired</Badge>
              ) : (
                <Badge tone="green">Active</Badge>
              )}
            </TD>
            <TD className="text-right">
              {k.revokedAt ? null : k.disabledAt ? (
                <ConfirmAction
                  action={setKeyDisabledAction.bind(null, user.id, k.id, false)}
                  label="Enable"
                  accessibleLabel={`Enable key ${k.name}`}
                  variant="primary"
                  title={`Enable “${k.name}”?`}
                  description={`Requests with ${k.prefix}… are accepted again right away.`}
                  confirmLabel="Enable key"
                  dismissLabel="Leave disabled"
                />
              ) : (
                <ConfirmAction
                  action={setKeyDisabledAction.bind(null, user.id, k.id, true)}
                  label="Disable"
                  accessibleLabel={`Disable key ${k.name}`}
                  title={`Disable “${k.name}”?`}
                  description={`Requests with ${k.prefix}… are refused at once on every instance. You can enable it again later.`}
                  confirmLabel="Disable key"
                  dismissLabel="Keep active"
                />
              )}
            </TD>
          </TR>
        ))}
      </TableCard>

      <TableCard
        className="mt-6"
        id="payments-heading"
        title="Payments"
        caption="Payments"
        columns={["Date", { label: "Amount", align: "right" }, "Method", "Status", { label: "Actions", srOnly: true }]}
        empty={c.payments.length === 0 && <EmptyState title="No payments" />}
      >
        {c.payments.map((p) => (
          <TR key={p.id}>
            <TD>
              <DateTime value={p.createdAt} />
            </TD>
            <TD className="text-right tabular-nums">{displayUsd(p.amountMicros)}</TD>
            <TD>{p.provider === "STRIPE" ? "Stripe" : "Sandbox"}</TD>
            <TD>
              <Badge tone={PAYMENT_STATUS[p.status].tone}>{PAYMENT_STATUS[p.status].label}</Badge>
            </TD>
            <TD className="text-right">
              {p.status !== "SUCCEEDED" ? null : p.provider === "STRIPE" ? (
                <span className={`text-xs ${muted}`}>Refund in Stripe&apos;s dashboard</span>
              ) : (
                <ConfirmAction
                  action={refundAction.bind(null, user.id, p.id)}
                  label="Refund"
                  accessibleLabel={`Refund the ${displayUsd(p.amountMicros)} top-up`}
                  title={`Refund ${displayUsd(p.amountMicros)}?`}
                  description="The amount is taken back from the balance. If part of it was already spent, only what is available is refunded and the shortfall is recorded."
                  confirmLabel="Refund top-up"
                  dismissLabel="Don’t refund"
                />
              )}
            </TD>
          </TR>
        ))}
      </TableCard>

      <TableCard
        className="mt-6"
        id="usage-heading"
        title="Recent usage"
        description="The last 50 requests, with the price each was charged at."
        caption="Recent usage"
        columns={["Time", "Model", "Key", { label: "Tokens in / out", align: "right" }, "Price (in / out per 1M)", { label: "Cost", align: "right" }, "Status"]}
        empty={c.usage.length === 0 && <EmptyState title="No requests yet" />}
      >
        {c.usage.map((u) => (
          <TR key={u.id} data-request-id={u.requestId}>
            <TD>
              <DateTime value={u.createdAt} />
            </TD>
            <TD className="font-mono text-xs">{u.modelId}</TD>
            <TD className="max-w-40 truncate text-xs">{u.apiKeyId ? (c.keyNames.get(u.apiKeyId) ?? "—") : "—"}</TD>
            <TD className="text-right tabular-nums">
              <Quantity row={u} />
            </TD>
            <TD className="text-xs tabular-nums">
              {u.inputPerMtokMicros !== null ? `${displayUsd(u.inputPerMtokMicros)} / ${u.outputPerMtokMicros !== null ? displayUsd(u.outputPerMtokMicros) : "—"}` : u.unitPriceMicros !== null ? `${displayUsd(u.unitPriceMicros)} each` : "—"}
            </TD>
            <TD className="text-right tabular-nums">{displayUsd(u.costMicros)}</TD>
            <TD>
              <Badge tone={USAGE_STATUS[u.status].tone}>{USAGE_STATUS[u.status].label}</Badge>
            </TD>
          </TR>
        ))}
      </TableCard>

      <TableCard
        className="mt-6"
        id="ledger-heading"
        title="Ledger"
        description="The last 50 entries. The balance is always their sum."
        caption="Ledger"
        columns={["Time", "Kind", "Description", { label: "Amount", align: "right" }, { label: "Balance after", align: "right" }]}
        empty={c.ledger.length === 0 && <EmptyState title="No ledger entries" />}
      >
        {c.ledger.map((e) => (
          <TR key={e.id.toString()}>
            <TD>
              <DateTime value={e.createdAt} />
            </TD>
            <TD>{LEDGER_KIND[e.kind] ?? e.kind}</TD>
            <TD className="max-w-96 truncate" title={`${e.description}${e.actor ? ` (by ${e.actor})` : ""}`}>
              {e.description}
            </TD>
            <TD className={`text-right tabular-nums ${e.amountMicros < 0n ? "" : "text-emerald-700 dark:text-emerald-400"}`}>
              {e.amountMicros > 0n ? "+" : ""}
              {displayUsd(e.amountMicros)}
            </TD>
            <TD className="text-right tabular-nums">{displayUsd(e.balanceAfterMicros)}</TD>
          </TR>
        ))}
      </TableCard>
    </>
  );
}

async function Subscriptions({ admin, userId, saved }: { admin: AdminUser; userId: string; saved: boolean }) {
  const { subscriptions, models } = await listCustomerSubscriptions({ ctx: admin, input: { userId } });
  return (
    <CustomerSubscriptions
      userId={userId}
      subscriptions={subscriptions}
      modelNames={new Map(models.map((m) => [m.id, m.displayName]))}
      modelTypes={new Map(models.map((m) => [m.id, m.type]))}
      saved={saved}
    />
  );
}

function SubscriptionsLoading() {
  return (
    <div role="status" aria-live="polite" className="mt-6">
      <span className="sr-only">Loading the subscriptions…</span>
      <Skeleton className="h-40" />
    </div>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AdminForm } from "@/components/admin/admin-form";
import { PageHeader } from "@/components/layout/page-header";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { FieldHint, Input, Label, inputClasses } from "@/components/ui/input";
import { getCustomer } from "@/lib/admin/get-customer";
import { listCustomerSubscriptions } from "@/lib/admin/list-customer-subscriptions";
import { requireAdmin } from "@/lib/auth/require-admin";
import { isAppError } from "@/lib/errors";
import { displayUsd } from "@/lib/money";
import { saveCustomSubscriptionAction } from "../subscription-actions";

export const metadata: Metadata = { title: "Custom subscription · Admin" };

const usd = (micros: bigint) => displayUsd(micros).replace(/^\$/, "").replace(/,/g, "");
const BLANK_ROWS = 2;

// No loading.tsx here or above (the list page keeps its loading state as a <Suspense> inside the page): a loading
// fallback starts the response as a 200, and then notFound() — an unknown id — could no longer answer 404.
export default async function CustomSubscriptionPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ subscription?: string }>;
}) {
  const admin = await requireAdmin();
  const [{ id }, { subscription: subscriptionId }] = await Promise.all([params, searchParams]);
  const [customer, { subscriptions, models }] = await Promise.all([
    getCustomer({ ctx: admin, input: { id } }).catch((error: unknown) => {
      if (isAppError(error) && error.code === "not_found") notFound();
      throw error;
    }),
    listCustomerSubscriptions({ ctx: admin, input: { userId: id } }),
  ]);
  const existing = subscriptionId ? subscriptions.find((s) => s.id === subscriptionId && s.kind === "CUSTOM" && s.status !== "CANCELED") : undefined;
  if (subscriptionId && !existing) notFound();
  const rows = [...(existing?.allowances ?? []).map((a) => ({ ...a })), ...Array.from({ length: existing ? BLANK_ROWS : BLANK_ROWS + 1 }, () => null)];

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={`/admin/customers/${id}`} className="text-indigo-700 underline-offset-4 hover:underline dark:text-indigo-400">
          ← {customer.user.email}
        </Link>
      </p>
      <PageHeader
        title={existing ? `Edit ${existing.name}` : "New custom subscription"}
        description={
          existing
            ? "Changes apply at once, within the current period; what was used so far stays used."
            : `Recurring access for ${customer.user.email}, model by model, at its own price (invoiced outside the portal). The first period starts now.`
        }
      />
      <Card aria-labelledby="custom-form-heading" className="max-w-4xl">
        <CardHeader id="custom-form-heading" title="Terms" />
        <CardBody>
          <AdminForm action={saveCustomSubscriptionAction.bind(null, id)} submitLabel={existing ? "Save changes" : "Create subscription"} pendingText="Saving…">
            {existing ? <input type="hidden" name="subscriptionId" value={existing.id} /> : null}
            <input type="hidden" name="lineCount" value={rows.length} />
            <div className="grid gap-4 sm:grid-cols-3">
              <div>
                <Label htmlFor="name">Name</Label>
                <Input id="name" name="name" required maxLength={80} defaultValue={existing?.name} className="mt-1" placeholder="Acme media bundle" />
              </div>
              <div>
                <Label htmlFor="price">Price (USD)</Label>
                <div className="relative mt-1">
                  <span aria-hidden="true" className="pointer-events-none absolute inset-y-0 left-3 flex items-center text-sm text-zinc-500">
                    $
                  </span>
                  <Input id="price" name="price" required inputMode="decimal" autoComplete="off" defaultValue={existing ? usd(existing.priceMicros) : ""} className="pl-7" placeholder="300.00" />
                </div>
              </div>
              <div>
                <Label htmlFor="interval">Billed every</Label>
                <select id="interval" name="interval" defaultValue={existing?.interval ?? "MONTH"} className={`${inputClasses} mt-1`}>
                  <option value="MONTH">Month</option>
                  <option value="YEAR">Year</option>
                </select>
              </div>
            </div>
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="balanceFallback" defaultChecked={existing?.balanceFallback ?? false} className="size-4 accent-indigo-600" />
              Past a line&apos;s limit, charge the customer&apos;s prepaid balance (unticked: requests are refused)
            </label>

            {rows.map((line, i) => (
              <fieldset key={i} className="rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
                <legend className="px-1 text-sm font-medium">
                  Line {i + 1}
                  {line ? "" : " (optional — leave empty to skip)"}
                </legend>
                <div className="grid gap-4 sm:grid-cols-2">
                  <div>
                    <Label htmlFor={`line${i}-label`}>Line name</Label>
                    <Input id={`line${i}-label`} name={`line${i}.label`} defaultValue={line?.label} maxLength={80} className="mt-1" placeholder="Images of model X" />
                  </div>
                  <div>
                    <Label htmlFor={`line${i}-models`}>Models</Label>
                    <select
                      id={`line${i}-models`}
                      name={`line${i}.models`}
                      multiple
                      defaultValue={line?.modelIds ?? []}
                      className={`${inputClasses} mt-1 h-24`}
                      aria-describedby={`line${i}-models-hint`}
                    >
                      {models.map((m) => (
                        <option key={m.id} value={m.id}>
                          {m.id} ({m.type.toLowerCase()}){m.enabled ? "" : " — disabled"}
                        </option>
                      ))}
                    </select>
                    <FieldHint id={`line${i}-models-hint`}>Hold Ctrl or ⌘ to pick more than one.</FieldHint>
                  </div>
                  <div>
                    <Label htmlFor={`line${i}-unit`}>Counted in</Label>
                    <select id={`line${i}-unit`} name={`line${i}.unit`} defaultValue={line?.unit ?? "MICROS"} className={`${inputClasses} mt-1`}>
                      <option value="MICROS">Usage in dollars</option>
                      <option value="UNITS">A count (images, tasks or requests)</option>
                    </select>
                  </div>
                  <div>
                    <Label htmlFor={`line${i}-limit`}>Limit per period</Label>
                    <Input
                      id={`line${i}-limit`}
                      name={`line${i}.limit`}
                      inputMode="decimal"
                      autoComplete="off"
                      defaultValue={line && line.limit !== null ? (line.unit === "MICROS" ? usd(line.limit) : line.limit.toString()) : ""}
                      className="mt-1"
                      placeholder="300.00 or 2000"
                      aria-describedby={`line${i}-limit-hint`}
                    />
                    <FieldHint id={`line${i}-limit-hint`}>Dollars for usage, a whole number for a count.</FieldHint>
                    <label className="mt-2 flex items-center gap-2 text-sm">
                      <input type="checkbox" name={`line${i}.unlimited`} defaultChecked={line ? line.limit === null : false} className="size-4 accent-indigo-600" />
                      Unlimited (needs a rate limit)
                    </label>
                  </div>
                  <div>
                    <Label htmlFor={`line${i}-rate`}>Rate limit (requests a minute, optional)</Label>
                    <Input id={`line${i}-rate`} name={`line${i}.rate`} inputMode="numeric" defaultValue={line?.ratePerMinute ?? ""} className="mt-1" placeholder="60" />
                  </div>
                </div>
              </fieldset>
            ))}
          </AdminForm>
        </CardBody>
      </Card>
    </>
  );
}

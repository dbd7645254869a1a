import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AdminForm } from "@/components/admin/admin-form";
import { PageHeader } from "@/components/layout/page-header";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { FieldHint, Input, Label, inputClasses } from "@/components/ui/input";
import { getAdminPlan } from "@/lib/admin/get-plan";
import { listCatalog } from "@/lib/admin/list-catalog";
import { requireAdmin } from "@/lib/auth/require-admin";
import { isAppError } from "@/lib/errors";
import { displayUsd } from "@/lib/money";
import { savePlanAction } from "../actions";

export const metadata: Metadata = { title: "Plan · Admin" };

/** Micros → the form's dollar text ("9", "0.002"), without "$" or thousands separators. */
const usd = (micros: bigint | null | undefined) => (micros === null || micros === undefined ? "" : displayUsd(micros).replace(/^\$/, "").replace(/,/g, ""));

// No loading.tsx here or above (the list page keeps its loading state as a <Suspense> inside the page): a loading
// fallback starts the response as a 200, and then notFound() — an unknown id — could no longer answer 404.
export default async function AdminPlanPage({ searchParams }: { searchParams: Promise<{ id?: string }> }) {
  const admin = await requireAdmin();
  const { id } = await searchParams;
  const [{ models }, plan] = await Promise.all([
    listCatalog({ ctx: admin }),
    id
      ? getAdminPlan({ ctx: admin, input: { id } }).catch((error: unknown) => {
          if (isAppError(error) && error.code === "not_found") notFound();
          throw error;
        })
      : null,
  ]);
  const create = !plan;
  const covered = new Set(plan?.modelIds ?? []);

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/admin/plans" className="text-indigo-700 underline-offset-4 hover:underline dark:text-indigo-400">
          ← Plans
        </Link>
      </p>
      <PageHeader
        title={create ? "Add a plan" : `Edit ${plan.name}`}
        description={
          create
            ? "Customers see active plans on their Plans page and can subscribe at once."
            : "New terms apply to new subscribers now and to current subscribers from their next period."
        }
      />
      <Card aria-labelledby="plan-form-heading" className="max-w-3xl">
        <CardHeader id="plan-form-heading" title="Terms" />
        <CardBody>
          <AdminForm action={savePlanAction} submitLabel={create ? "Add plan" : "Save changes"} pendingText="Saving…">
            {plan ? <input type="hidden" name="id" value={plan.id} /> : null}
            <div className="grid gap-4 sm:grid-cols-2">
              <div>
                <Label htmlFor="name">Name</Label>
                <Input id="name" name="name" required maxLength={80} defaultValue={plan?.name} className="mt-1" />
              </div>
              <div>
                <Label htmlFor="slug">Slug</Label>
                <Input id="slug" name="slug" required defaultValue={plan?.slug} className="mt-1 font-mono" aria-describedby="slug-hint" />
                <FieldHint id="slug-hint">Lowercase letters, digits and dashes, like starter. Used in checkout links.</FieldHint>
              </div>
              <div className="sm:col-span-2">
                <Label htmlFor="description">Description</Label>
                <Input id="description" name="description" maxLength={500} defaultValue={plan?.description} className="mt-1" />
              </div>
              <div>
                <Label htmlFor="price">Price (USD)</Label>
                <div className="relative mt-1">
                  <span aria-hidden="true" className="pointer-events-none absolute inset-y-0 left-3 flex items-center text-sm text-zinc-500">
                    $
                  </span>
                  <Input id="price" name="price" required inputMode="decimal" autoComplete="off" defaultValue={usd(plan?.priceMicros)} className="pl-7" placeholder="9.00" />
                </div>
              </div>
              <div>
                <Label htmlFor="interval">Billed every</Label>
                <select id="interval" name="interval" defaultValue={plan?.interval ?? "MONTH"} className={`${inputClasses} mt-1`}>
                  <option value="MONTH">Month</option>
                  <option value="YEAR">Year</option>
                </select>
              </div>
              <div>
                <Label htmlFor="allowance">Included usage per period (USD)</Label>
                <div className="relative mt-1">
                  <span aria-hidden="true" className="pointer-events-none absolute inset-y-0 left-3 flex items-center text-sm text-zinc-500">
                    $
                  </span>
                  <Input
                    id="allowance"
                    name="allowance"
                    required
                    inputMode="decimal"
                    autoComplete="off"
                    defaultValue={usd(plan?.allowanceMicros)}
                    className="pl-7"
                    placeholder="10.00"
                    aria-describedby="allowance-hint"
                  />
                </div>
                <FieldHint id="allowance-hint">Usage at list prices, shared across the covered models. Up to six decimals.</FieldHint>
              </div>
              <div>
                <Label htmlFor="stripePriceId">Stripe price id (optional)</Label>
                <Input id="stripePriceId" name="stripePriceId" defaultValue={plan?.stripePriceId ?? ""} className="mt-1 font-mono" placeholder="price_…" aria-describedby="stripe-hint" />
                <FieldHint id="stripe-hint">Empty: a Stripe price is created on the first subscription.</FieldHint>
              </div>
              <div>
                <Label htmlFor="imageAllowance">Images per period (optional)</Label>
                <Input id="imageAllowance" name="imageAllowance" inputMode="numeric" defaultValue={plan?.imageAllowance ?? ""} className="mt-1" aria-describedby="images-hint" />
                <FieldHint id="images-hint">Set: image models count images instead of drawing on the usage allowance.</FieldHint>
              </div>
              <div>
                <Label htmlFor="taskAllowance">Video and music tasks per period (optional)</Label>
                <Input id="taskAllowance" name="taskAllowance" inputMode="numeric" defaultValue={plan?.taskAllowance ?? ""} className="mt-1" />
              </div>
            </div>

            <fieldset className="rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
              <legend className="px-1 text-sm font-medium">Covered models</legend>
              <p className="mb-3 text-xs text-zinc-600 dark:text-zinc-400">Tick none to cover every model, including ones added later.</p>
              <div className="grid gap-2 sm:grid-cols-2">
                {models.map((m) => (
                  <label key={m.id} className="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="modelIds" value={m.id} defaultChecked={covered.has(m.id)} className="size-4 accent-indigo-600" />
                    <span className="font-mono text-xs">{m.id}</span>
                    <span className="text-xs text-zinc-600 dark:text-zinc-400">
                      {m.type.toLowerCase()}
                      {m.enabled ? "" : ", disabled"}
                    </span>
                  </label>
                ))}
              </div>
            </fieldset>

            <div className="space-y-2">
              <label className="flex items-center gap-2 text-sm">
                <input type="checkbox" name="overageToBalance" defaultChecked={plan?.overageToBalance ?? true} className="size-4 accent-indigo-600" />
                Past the allowance, charge the prepaid balance (customers may turn this off); unticked, requests are refused
              </label>
              <label className="flex items-center gap-2 text-sm">
                <input type="checkbox" name="active" defaultChecked={plan?.active ?? true} className="size-4 accent-indigo-600" />
                Active (offered on the Plans page; existing subscriptions run on either way)
              </label>
            </div>
          </AdminForm>
        </CardBody>
      </Card>
    </>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AdminForm } from "@/components/admin/admin-form";
import { PageHeader } from "@/components/layout/page-header";
import { Alert } from "@/components/ui/alert";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { FieldHint, Input, Label, inputClasses } from "@/components/ui/input";
import { TD, TR } from "@/components/ui/table";
import { TableCard } from "@/components/ui/table-card";
import { getModel } from "@/lib/admin/get-model";
import { listCatalog } from "@/lib/admin/list-catalog";
import { requireAdmin } from "@/lib/auth/require-admin";
import { isAppError } from "@/lib/errors";
import { displayUsd } from "@/lib/money";
import { saveModelAction } from "../actions";

export const metadata: Metadata = { title: "Model · Admin" };

/** Micros → the form's dollar text ("0.5", "1.25"), without "$" or thousands separators. */
const usd = (micros: bigint | null | undefined) => (micros === null || micros === undefined ? "" : displayUsd(micros).replace(/^\$/, "").replace(/,/g, ""));
const cell = (micros: bigint | null) => (micros === null ? "—" : displayUsd(micros));
const providerOption = (p: { id: string; name: string; enabled: boolean }) => (
  <option key={p.id} value={p.id}>
    {p.name} ({p.id}){p.enabled ? "" : " — disabled"}
  </option>
);

// No loading.tsx here or above (the list page keeps its loading state as a <Suspense> inside the page): a loading
// fallback starts the response as a 200, and then notFound() — an unknown id — could no longer answer 404.
export default async function AdminModelPage({ searchParams }: { searchParams: Promise<{ id?: string; saved?: string }> }) {
  const admin = await requireAdmin();
  const { id, saved } = await searchParams;
  const [{ providers }, model] = await Promise.all([
    listCatalog({ ctx: admin }),
    id
      ? getModel({ ctx: admin, input: { id } }).catch((error: unknown) => {
          if (isAppError(error) && error.code === "not_found") notFound();
          throw error;
        })
      : null,
  ]);
  const providerOptions = providers.map(providerOption);
  const create = !model;

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/admin/models" className="text-indigo-700 underline-offset-4 hover:underline dark:text-indigo-400">
          ← Models and prices
        </Link>
      </p>
      <PageHeader
        title={create ? "Add a model" : `Edit ${model.id}`}
        description={create ? "The public id is what clients send as `model`." : "Saving a new price applies to new requests only and is added to the price history."}
      />
      {saved ? (
        <Alert tone="success" role="status" className="mb-6">
          Saved. New requests use these settings now, on every instance.
        </Alert>
      ) : null}
      <div className="grid items-start gap-6 lg:grid-cols-5">
        <Card className="lg:col-span-3" aria-labelledby="model-form-heading">
          <CardHeader id="model-form-heading" title="Settings" />
          <CardBody>
            <AdminForm action={saveModelAction} submitLabel={create ? "Add model" : "Save changes"} pendingText="Saving…">
              <input type="hidden" name="mode" value={create ? "create" : "update"} />
              <div className="grid gap-4 sm:grid-cols-2">
                <div>
                  <Label htmlFor="id">Public id</Label>
                  <Input id="id" name="id" required defaultValue={model?.id} readOnly={!create} className="mt-1 font-mono" aria-describedby="id-hint" />
                  <FieldHint id="id-hint">{create ? "Like openai/gpt-4o-mini. It cannot be changed later." : "The id cannot be changed."}</FieldHint>
                </div>
                <div>
                  <Label htmlFor="displayName">Display name</Label>
                  <Input id="displayName" name="displayName" required defaultValue={model?.displayName} className="mt-1" />
                </div>
                <div>
                  <Label htmlFor="type">Type</Label>
                  <select id="type" name="type" defaultValue={model?.type ?? "CHAT"} className={`${inputClasses} mt-1`}>
                    <option value="CHAT">Chat</option>
                    <option value="EMBEDDING">Embedding</option>
                    <option value="IMAGE">Image</option>
                    <option value="VIDEO">Video</option>
                    <option value="MUSIC">Music</option>
                  </select>
                </div>
                <div>
                  <Label htmlFor="providerId">Provider</Label>
                  <select id="providerId" name="providerId" defaultValue={model?.providerId ?? providers[0]?.id} className={`${inputClasses} mt-1`}>
                    {providerOptions}
                  </select>
                </div>
                <div className="sm:col-span-2">
                  <Label htmlFor="upstreamModel">Upstream model</Label>
                  <Input id="upstreamModel" name="upstreamModel" required defaultValue={model?.upstreamModel} className="mt-1 font-mono" aria-describedby="upstream-hint" />
                  <FieldHint id="upstream-hint">The provider&apos;s own name for the model, e.g. gpt-4o-mini or sandbox-chat.</FieldHint>
                </div>
                <div>
                  <Label htmlFor="fallbackProviderId">Fallback provider</Label>
                  <select
                    id="fallbackProviderId"
                    name="fallbackProviderId"
                    defaultValue={model?.fallbackProviderId ?? ""}
                    className={`${inputClasses} mt-1`}
                    aria-describedby="fallback-hint"
                  >
                    <option value="">None</option>
                    {providerOptions}
                  </select>
                </div>
                <div>
                  <Label htmlFor="fallbackUpstreamModel">Fallback upstream model</Label>
                  <Input
                    id="fallbackUpstreamModel"
                    name="fallbackUpstreamModel"
                    defaultValue={model?.fallbackUpstreamModel ?? ""}
                    className="mt-1 font-mono"
                    aria-describedby="fallback-hint"
                  />
                </div>
                <p id="fallback-hint" className="-mt-2 text-xs text-zinc-600 sm:col-span-2 dark:text-zinc-400">
                  Called once, at the same price, when the provider fails before sending anything (a server error, 429, timeout or refused
                  credentials) — never for the request&apos;s own errors. The usage log names the provider that answered.
                </p>
                <div className="sm:col-span-2">
                  <Label htmlFor="description">Description</Label>
                  <Input id="description" name="description" defaultValue={model?.description} className="mt-1" />
                </div>
              </div>
              <fieldset className="rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
                <legend className="px-1 text-sm font-medium">Prices (USD)</legend>
                <p className="mb-3 text-xs text-zinc-600 dark:text-zinc-400">Fill in the ones this type uses; leave the others empty. Up to six decimals.</p>
                <div className="grid gap-4 sm:grid-cols-2">
                  {(
                    [
                      ["inputPerMtokMicros", "Input, per 1M tokens", model?.inputPerMtokMicros],
                      ["outputPerMtokMicros", "Output, per 1M tokens", model?.outputPerMtokMicros],
                      ["perImageMicros", "Per image", model?.perImageMicros],
                      ["perTaskMicros", "Per task", model?.perTaskMicros],
                    ] as const
                  ).map(([name, label, value]) => (
                    <div key={name}>
                      <Label htmlFor={name}>{label}</Label>
                      <div className="relative mt-1">
                        <span aria-hidden="true" className="pointer-events-none absolute inset-y-0 left-3 flex items-center text-sm text-zinc-500">
                          $
                        </span>
                        <Input id={name} name={name} inputMode="decimal" autoComplete="off" defaultValue={usd(value)} className="pl-7" />
                      </div>
                    </div>
                  ))}
                </div>
              </fieldset>
              <div className="grid gap-4 sm:grid-cols-2">
                <div>
                  <Label htmlFor="contextWindow">Context window (tokens)</Label>
                  <Input id="contextWindow" name="contextWindow" inputMode="numeric" defaultValue={model?.contextWindow ?? ""} className="mt-1" />
                </div>
                <div>
                  <Label htmlFor="maxOutputTokens">Max output tokens</Label>
                  <Input id="maxOutputTokens" name="maxOutputTokens" inputMode="numeric" defaultValue={model?.maxOutputTokens ?? ""} className="mt-1" />
                </div>
              </div>
              <label className="flex items-center gap-2 text-sm">
                <input type="checkbox" name="enabled" defaultChecked={model?.enabled ?? true} className="size-4 accent-indigo-600" />
                Enabled (callable through the API)
              </label>
            </AdminForm>
          </CardBody>
        </Card>

        <TableCard
          className="lg:col-span-2"
          id="history-heading"
          title="Price history"
          description="Newest first."
          caption="Price history"
          columns={["Changed", "Prices", "By"]}
          empty={
            (!model || model.prices.length === 0) && (
              <EmptyState title="No price change recorded yet">The current price has applied since the model was added; each change saved here is listed.</EmptyState>
            )
          }
        >
          {model?.prices.map((p) => (
            <TR key={p.id.toString()}>
              <TD className="text-xs">
                <DateTime value={p.changedAt} />
              </TD>
              <TD className="text-xs tabular-nums">
                {p.inputPerMtokMicros !== null || p.outputPerMtokMicros !== null ? (
                  <>
                    {cell(p.inputPerMtokMicros)} in · {cell(p.outputPerMtokMicros)} out
                  </>
                ) : p.perImageMicros !== null ? (
                  <>{cell(p.perImageMicros)} / image</>
                ) : (
                  <>{cell(p.perTaskMicros)} / task</>
                )}
              </TD>
              <TD className="max-w-40 truncate text-xs" title={p.changedBy}>
                {p.changedBy}
              </TD>
            </TR>
          ))}
        </TableCard>
      </div>
    </>
  );
}

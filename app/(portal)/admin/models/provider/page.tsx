import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AdminForm } from "@/components/admin/admin-form";
import { PageHeader } from "@/components/layout/page-header";
import { Card, CardBody } from "@/components/ui/card";
import { FieldHint, Input, Label, inputClasses } from "@/components/ui/input";
import { listCatalog } from "@/lib/admin/list-catalog";
import { requireAdmin } from "@/lib/auth/require-admin";
import { saveProviderAction } from "../actions";

export const metadata: Metadata = { title: "Provider · Admin" };

// No loading.tsx here or above (the list page keeps its loading state as a <Suspense> inside the page): a loading
// fallback starts the response as a 200, and then notFound() — an unknown id — could no longer answer 404.
export default async function AdminProviderPage({ searchParams }: { searchParams: Promise<{ id?: string }> }) {
  const admin = await requireAdmin();
  const [{ id }, { providers }] = await Promise.all([searchParams, listCatalog({ ctx: admin })]);
  const provider = id ? providers.find((p) => p.id === id) : null;
  if (id && !provider) notFound();
  const create = !provider;

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/admin/models" className="text-indigo-700 underline-offset-4 hover:underline dark:text-indigo-400">
          ← Models and prices
        </Link>
      </p>
      <PageHeader title={create ? "Add a provider" : `Edit provider ${provider.id}`} description="Disabling a provider takes all of its models out of the API at once." />
      <Card className="max-w-2xl">
        <CardBody>
          <AdminForm action={saveProviderAction} submitLabel={create ? "Add provider" : "Save changes"} pendingText="Saving…">
            <input type="hidden" name="mode" value={create ? "create" : "update"} />
            <div className="grid gap-4 sm:grid-cols-2">
              <div>
                <Label htmlFor="id">Id</Label>
                <Input id="id" name="id" required defaultValue={provider?.id} readOnly={!create} className="mt-1 font-mono" aria-describedby="pid-hint" />
                <FieldHint id="pid-hint">Lowercase letters, digits and dashes.</FieldHint>
              </div>
              <div>
                <Label htmlFor="name">Name</Label>
                <Input id="name" name="name" required defaultValue={provider?.name} className="mt-1" />
              </div>
              <div>
                <Label htmlFor="kind">Kind</Label>
                <select id="kind" name="kind" defaultValue={provider?.kind ?? "OPENAI_COMPATIBLE"} className={`${inputClasses} mt-1`}>
                  <option value="OPENAI_COMPATIBLE">OpenAI-compatible</option>
                  <option value="ANTHROPIC">Anthropic</option>
                  <option value="SANDBOX">Sandbox (built in)</option>
                </select>
              </div>
              <div>
                <Label htmlFor="apiKeyEnv">Secret&apos;s environment variable</Label>
                <Input id="apiKeyEnv" name="apiKeyEnv" defaultValue={provider?.apiKeyEnv ?? ""} placeholder="OPENAI_API_KEY" className="mt-1 font-mono" aria-describedby="env-hint" />
                <FieldHint id="env-hint">The NAME of the variable that holds the key — never the key itself.</FieldHint>
              </div>
              <div className="sm:col-span-2">
                <Label htmlFor="baseUrl">Base URL</Label>
                <Input id="baseUrl" name="baseUrl" type="url" defaultValue={provider?.baseUrl ?? ""} placeholder="https://api.openai.com/v1" className="mt-1" />
              </div>
            </div>
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="enabled" defaultChecked={provider?.enabled ?? true} className="size-4 accent-indigo-600" />
              Enabled
            </label>
          </AdminForm>
        </CardBody>
      </Card>
    </>
  );
}

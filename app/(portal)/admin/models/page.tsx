import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { PageHeader } from "@/components/layout/page-header";
import { PageLoading } from "@/components/layout/page-loading";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { buttonClasses } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { TD, TR } from "@/components/ui/table";
import { TableCard } from "@/components/ui/table-card";
import { listCatalog } from "@/lib/admin/list-catalog";
import { requireAdmin } from "@/lib/auth/require-admin";
import { displayUsd } from "@/lib/money";

export const metadata: Metadata = { title: "Models and prices · Admin" };

const KIND_LABEL = { SANDBOX: "Sandbox", OPENAI_COMPATIBLE: "OpenAI-compatible", ANTHROPIC: "Anthropic" } as const;
const link = "font-medium text-indigo-700 underline-offset-4 hover:underline focus-visible:rounded-sm focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-400";

function price(micros: bigint | null, unit: string) {
  return micros === null ? null : `${displayUsd(micros)} ${unit}`;
}

type SearchParams = Promise<{ saved?: string }>;

export default function AdminModelsPage({ searchParams }: { searchParams: SearchParams }) {
  // The loading state is this boundary rather than a loading.tsx: an admin/models/loading.tsx would also wrap
  // /admin/models/model?id= and /admin/models/provider?id=, whose "not found" must be a real 404 — and a
  // response that has started streaming (a loading fallback sent) can only be a 200.
  return (
    <Suspense fallback={<PageLoading label="the models" />}>
      <AdminModels searchParams={searchParams} />
    </Suspense>
  );
}

async function AdminModels({ searchParams }: { searchParams: SearchParams }) {
  const admin = await requireAdmin();
  const [{ saved }, { providers, models }] = await Promise.all([searchParams, listCatalog({ ctx: admin })]);
  return (
    <>
      <PageHeader
        title="Models and prices"
        description="A price change applies to new requests only; every usage record keeps the price it was charged at."
        action={
          <div className="flex gap-2">
            <Link href="/admin/models/provider" className={buttonClasses({ variant: "secondary" })}>
              Add provider
            </Link>
            <Link href="/admin/models/model" className={buttonClasses()}>
              Add model
            </Link>
          </div>
        }
      />
      {saved ? (
        <Alert tone="success" role="status" className="mb-6">
          Saved {saved}.
        </Alert>
      ) : null}
      <div className="space-y-6">
        <TableCard
          id="models-heading"
          title="Models"
          description="Prices per 1M tokens (text), per image, or per task."
          caption="Models"
          columns={["Model", "Type", "Provider", "Price", "Status", { label: "Actions", srOnly: true }]}
          empty={models.length === 0 && <EmptyState title="No models yet">Add a model to make it callable through the API.</EmptyState>}
        >
          {models.map((m) => (
            <TR key={m.id}>
              <TD>
                <span className="font-mono text-xs">{m.id}</span>
                <span className="block text-xs text-zinc-600 dark:text-zinc-400">{m.displayName}</span>
              </TD>
              <TD>{m.type.toLowerCase()}</TD>
              <TD>
                {m.providerId}
                <span className="block text-xs text-zinc-600 dark:text-zinc-400">{m.upstreamModel}</span>
              </TD>
              <TD className="text-xs tabular-nums">
                {[
                  price(m.inputPerMtokMicros, "in / 1M"),
                  price(m.outputPerMtokMicros, "out / 1M"),
                  price(m.perImageMicros, "/ image"),
                  price(m.perTaskMicros, "/ task"),
                ]
                  .filter(Boolean)
                  .map((p) => (
                    <span key={p} className="block">
                      {p}
                    </span>
                  ))}
              </TD>
              <TD>{m.enabled ? <Badge tone="green">Enabled</Badge> : <Badge>Disabled</Badge>}</TD>
              <TD className="text-right">
                <Link href={`/admin/models/model?id=${encodeURIComponent(m.id)}`} className={link} aria-label={`Edit ${m.id}`}>
                  Edit
                </Link>
              </TD>
            </TR>
          ))}
        </TableCard>

        <TableCard
          id="providers-heading"
          title="Providers"
          description="Where models are served from. Secrets are never stored: each provider names the environment variable that holds its key."
          caption="Providers"
          columns={["Provider", "Kind", "Base URL", "Secret variable", { label: "Models", align: "right" }, "Status", { label: "Actions", srOnly: true }]}
          empty={providers.length === 0 && <EmptyState title="No providers yet">Add a provider before adding its models.</EmptyState>}
        >
          {providers.map((p) => (
            <TR key={p.id}>
              <TD>
                <span className="font-mono text-xs">{p.id}</span>
                <span className="block text-xs text-zinc-600 dark:text-zinc-400">{p.name}</span>
              </TD>
              <TD>{KIND_LABEL[p.kind]}</TD>
              <TD className="max-w-64 truncate text-xs" title={p.baseUrl ?? undefined}>
                {p.baseUrl ?? <span className="text-zinc-500 dark:text-zinc-400">—</span>}
              </TD>
              <TD className="font-mono text-xs">{p.apiKeyEnv ?? <span className="text-zinc-500 dark:text-zinc-400">—</span>}</TD>
              <TD className="text-right tabular-nums">{p._count.models}</TD>
              <TD>{p.enabled ? <Badge tone="green">Enabled</Badge> : <Badge>Disabled</Badge>}</TD>
              <TD className="text-right">
                <Link href={`/admin/models/provider?id=${encodeURIComponent(p.id)}`} className={link} aria-label={`Edit provider ${p.id}`}>
                  Edit
                </Link>
              </TD>
            </TR>
          ))}
        </TableCard>
      </div>
    </>
  );
}

import type { Metadata } from "next";
import { CreateKeyForm } from "@/components/keys/create-key-form";
import { RevokeKeyButton } from "@/components/keys/revoke-key-button";
import { PageHeader } from "@/components/layout/page-header";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { requireUser } from "@/lib/auth/session";
import type { KeySummary } from "@/lib/keys/schemas";
import { listKeys } from "@/lib/keys/list-keys";
import { listModels } from "@/lib/models/list-models";
import { displayUsd } from "@/lib/money";

export const metadata: Metadata = { title: "API keys" };

function keyStatus(key: KeySummary, now: Date) {
  if (key.revokedAt) return { label: "Revoked", tone: "red" } as const;
  if (key.expiresAt && key.expiresAt <= now) return { label: "Expired", tone: "neutral" } as const;
  return { label: "Active", tone: "green" } as const;
}

export default async function KeysPage() {
  const user = await requireUser();
  const [keys, models] = await Promise.all([listKeys({ ctx: { userId: user.userId } }), listModels()]);
  const now = new Date();
  const today = now.toISOString().slice(0, 10);

  return (
    <>
      <PageHeader title="API keys" description="Keys let your programs call the Meterway API. Each request is charged to your balance." />
      <div className="space-y-6">
        <Card aria-labelledby="create-key-heading">
          <CardHeader id="create-key-heading" title="Create a key" description="Give each app its own key so you can limit or revoke it." />
          <CardBody>
            <CreateKeyForm models={models.map((m) => ({ id: m.id, displayName: m.displayName }))} today={today} />
          </CardBody>
        </Card>

        <Card aria-labelledby="keys-heading">
          <CardHeader id="keys-heading" title="Your keys" description="Only the first characters of each key are kept visible." />
          {keys.length === 0 ? (
            <EmptyState title="No API keys yet">Create your first key with the form to start calling the API.</EmptyState>
          ) : (
            <Table caption="Your API keys">
              <THead>
                <TR>
                  <TH>Name</TH>
                  <TH>Environment</TH>
                  <TH>Key</TH>
                  <TH>Created</TH>
                  <TH>Last used</TH>
                  <TH>Spend</TH>
                  <TH>Status</TH>
                  <TH>
                    <span className="sr-only">Actions</span>
                  </TH>
                </TR>
              </THead>
              <TBody>
                {keys.map((key) => {
                  const status = keyStatus(key, now);
                  return (
                    <TR key={key.id} className={key.revokedAt ? "text-zinc-500 dark:text-zinc-500" : undefined}>
                      <TD className="max-w-48 truncate font-medium" title={key.name}>
                        {key.name}
                        {key.allowedModels.length > 0 ? (
                          <span className="block truncate text-xs font-normal text-zinc-600 dark:text-zinc-400" title={key.allowedModels.join(", ")}>
                            Models: {key.allowedModels.join(", ")}
                          </span>
                        ) : null}
                        {key.rateLimitPerMinute !== null ? (
                          <span className="block text-xs font-normal text-zinc-600 dark:text-zinc-400">{key.rateLimitPerMinute} requests/min</span>
                        ) : null}
                      </TD>
                      <TD>
                        <Badge tone={key.environment === "PRODUCTION" ? "purple" : "blue"}>
                          {key.environment === "PRODUCTION" ? "Production" : "Development"}
                        </Badge>
                      </TD>
                      <TD className="font-mono text-xs">{key.prefix}…</TD>
                      <TD>
                        <DateTime value={key.createdAt} withTime={false} />
                      </TD>
                      <TD>{key.lastUsedAt ? <DateTime value={key.lastUsedAt} /> : "Never"}</TD>
                      <TD className="tabular-nums">
                        {displayUsd(key.spentMicros)}
                        <span className="text-zinc-500 dark:text-zinc-400">
                          {" / "}
                          {key.spendLimitMicros !== null ? displayUsd(key.spendLimitMicros) : "no limit"}
                        </span>
                      </TD>
                      <TD>
                        <Badge tone={status.tone}>{status.label}</Badge>
                        {key.expiresAt && !key.revokedAt && status.label === "Active" ? (
                          <span className="block text-xs text-zinc-600 dark:text-zinc-400">
                            until <DateTime value={key.expiresAt} withTime={false} />
                          </span>
                        ) : null}
                      </TD>
                      <TD className="text-right">{key.revokedAt ? null : <RevokeKeyButton id={key.id} name={key.name} prefix={key.prefix} />}</TD>
                    </TR>
                  );
                })}
              </TBody>
            </Table>
          )}
        </Card>
      </div>
    </>
  );
}

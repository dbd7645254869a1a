import type { Metadata } from "next";
import { CreateKeyForm } from "@/components/keys/create-key-form";
import { EditKeyButton } from "@/components/keys/edit-key-button";
import { KeyRevealProvider } from "@/components/keys/reveal-context";
import { RevokeKeyButton } from "@/components/keys/revoke-key-button";
import { RotateKeyButton } from "@/components/keys/rotate-key-button";
import { PageHeader } from "@/components/layout/page-header";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { requireUser } from "@/lib/auth/session";
import { now as clockNow } from "@/lib/clock";
import type { KeySummary } from "@/lib/keys/schemas";
import { listKeys } from "@/lib/keys/list-keys";
import { periodEnd, spentThisPeriod } from "@/lib/keys/period-spend";
import { listModels } from "@/lib/models/list-models";
import { displayUsd, formatUsd } from "@/lib/money";

export const metadata: Metadata = { title: "API keys" };

const PERIOD_LABEL = { NONE: "in total", DAILY: "today", WEEKLY: "this week", MONTHLY: "this month" } as const;

function keyStatus(key: KeySummary, now: Date, spent: bigint) {
  if (key.revokedAt) return { label: "Revoked", tone: "red" } as const;
  if (key.expiresAt && key.expiresAt <= now) return { label: "Expired", tone: "neutral" } as const;
  if (key.successor) return { label: "Rotated", tone: "yellow" } as const;
  // Requests the balance would pay are refused (402 key_limit) until the period resets or the limit is raised.
  if (key.spendLimitMicros !== null && spent >= key.spendLimitMicros) return { label: "Limit reached", tone: "yellow" } as const;
  return { label: "Active", tone: "green" } as const;
}

/** What a key has spent this period, against its limit. */
function KeySpend({ keyData: key, spent, resets }: { keyData: KeySummary; spent: bigint; resets: Date | null }) {
  return (
    <TD label="Spend this period" className="min-w-36 whitespace-normal tabular-nums" data-testid="key-spend">
      {displayUsd(spent)}{" "}
      {/* When the cell wraps, "/ no limit" moves down whole. */}
      <span className="whitespace-nowrap text-zinc-600 dark:text-zinc-400">
        {"/ "}
        {key.spendLimitMicros !== null ? displayUsd(key.spendLimitMicros) : "no limit"}
      </span>
      <span className="block text-xs text-zinc-600 dark:text-zinc-400">
        {PERIOD_LABEL[key.spendLimitPeriod]}
        {resets ? (
          <>
            {", resets "}
            <DateTime value={resets} withTime={key.spendLimitPeriod === "DAILY"} />
          </>
        ) : null}
      </span>
      {key.spendLimitMicros !== null ? (
        <meter
          className="mt-1 block h-1.5 w-28"
          min={0}
          max={1}
          value={spent >= key.spendLimitMicros ? 1 : Number((spent * 1000n) / key.spendLimitMicros) / 1000}
          aria-label={`${key.name}: ${displayUsd(spent)} of ${displayUsd(key.spendLimitMicros)} spent`}
        />
      ) : null}
    </TD>
  );
}

/** "25.500000" → "25.5": what the edit form shows for a limit. */
function usdInput(micros: bigint | null): string {
  return micros === null ? "" : formatUsd(micros).replace(/\.?0+$/, "");
}

export default async function KeysPage() {
  const user = await requireUser();
  const [keys, models] = await Promise.all([listKeys({ ctx: { userId: user.userId } }), listModels()]);
  const now = new Date();
  // Spend periods follow the app clock (lib/clock), the same one the gateway charges with.
  const periodNow = clockNow();
  const today = now.toISOString().slice(0, 10);
  const modelChoices = models.map((m) => ({ id: m.id, displayName: m.displayName }));

  return (
    <>
      <PageHeader title="API keys" description="Keys let your programs call the Meterway API. Each request is charged to your balance." />
      <div className="space-y-6">
        <Card aria-labelledby="create-key-heading">
          <CardHeader id="create-key-heading" title="Create a key" description="Give each app its own key so you can limit or revoke it." />
          <CardBody>
            <CreateKeyForm models={modelChoices} today={today} />
          </CardBody>
        </Card>

        <KeyRevealProvider>
          <Card aria-labelledby="keys-heading">
            <CardHeader id="keys-heading" title="Your keys" description="Only the first characters of each key are kept visible." />
            {keys.length === 0 ? (
              <EmptyState title="No API keys yet">Create your first key with the form to start calling the API.</EmptyState>
            ) : (
              <Table caption="Your API keys" stack>
                <THead>
                  <TR>
                    <TH>Name</TH>
                    <TH>Key</TH>
                    <TH>Last used</TH>
                    <TH>Spend this period</TH>
                    <TH>Status</TH>
                    <TH>
                      <span className="sr-only">Actions</span>
                    </TH>
                  </TR>
                </THead>
                <TBody>
                  {keys.map((key) => {
                    const spent = spentThisPeriod(key, periodNow);
                    const status = keyStatus(key, now, spent);
                    const resets = periodEnd(key.spendLimitPeriod, periodNow);
                    const usable = status.label === "Active" || status.label === "Limit reached";
                    return (
                      <TR key={key.id} data-key-id={key.id} className={key.revokedAt ? "text-zinc-500 dark:text-zinc-400" : undefined}>
                        <TD className="max-w-48 truncate font-medium xl:max-w-56" title={key.name}>
                          {key.name}
                          {key.allowedModels.length > 0 ? (
                            <span className="block truncate text-xs font-normal text-zinc-600 dark:text-zinc-400" title={key.allowedModels.join(", ")}>
                              Models: {key.allowedModels.join(", ")}
                            </span>
                          ) : null}
                          {key.rateLimitPerMinute !== null ? (
                            <span className="block text-xs font-normal text-zinc-600 dark:text-zinc-400">{key.rateLimitPerMinute} requests/min</span>
                          ) : null}
                          <span className="block text-xs font-normal text-zinc-600 dark:text-zinc-400">
                            Created <DateTime value={key.createdAt} withTime={false} />
                          </span>
                        </TD>
                        <TD label="Key">
                          <Badge tone={key.environment === "PRODUCTION" ? "purple" : "blue"}>
                            {key.environment === "PRODUCTION" ? "Production" : "Development"}
                          </Badge>
                          <span className="mt-1 block font-mono text-xs">{key.prefix}…</span>
                        </TD>
                        <TD label="Last used" className="min-w-28 whitespace-normal">{key.lastUsedAt ? <DateTime value={key.lastUsedAt} /> : "Never"}</TD>
                        {status.label === "Rotated" ? (
                          <TD label="Spend this period" className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="key-spend">
                            Counted on the new key
                            <span className="block font-mono text-xs">{key.successor!.prefix}…</span>
                          </TD>
                        ) : (
                          <KeySpend keyData={key} spent={spent} resets={resets} />
                        )}
                        <TD label="Status" className="min-w-28 whitespace-normal">
                          <Badge tone={status.tone}>{status.label}</Badge>
                          {key.expiresAt && (usable || status.label === "Rotated") ? (
                            <span className="block text-xs text-zinc-600 dark:text-zinc-400">
                              until <DateTime value={key.expiresAt} />
                            </span>
                          ) : null}
                        </TD>
                        <TD className="text-right">
                          {key.revokedAt ? null : (
                            <div className="flex justify-end gap-2">
                              {status.label === "Rotated" ? null : (
                                <EditKeyButton
                                  models={modelChoices}
                                  today={today}
                                  keyData={{
                                    id: key.id,
                                    name: key.name,
                                    spendLimit: usdInput(key.spendLimitMicros),
                                    spendLimitPeriod: key.spendLimitPeriod,
                                    rateLimit: key.rateLimitPerMinute === null ? "" : String(key.rateLimitPerMinute),
                                    allowedModels: key.allowedModels,
                                    expiresOn: key.expiresAt ? key.expiresAt.toISOString().slice(0, 10) : "",
                                  }}
                                />
                              )}
                              {usable ? <RotateKeyButton id={key.id} name={key.name} prefix={key.prefix} /> : null}
                              <RevokeKeyButton id={key.id} name={key.name} prefix={key.prefix} />
                            </div>
                          )}
                        </TD>
                      </TR>
                    );
                  })}
                </TBody>
              </Table>
            )}
          </Card>
        </KeyRevealProvider>
      </div>
    </>
  );
}

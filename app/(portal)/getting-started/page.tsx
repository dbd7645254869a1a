import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/layout/page-header";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { EmptyState } from "@/components/ui/empty-state";
import { linkClasses } from "@/components/ui/link-classes";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { requireUser } from "@/lib/auth/session";
import { requestOrigin } from "@/lib/http/request-origin";
import { listModelPrices, type ModelPrice } from "@/lib/models/list-model-prices";
import { displayUsd } from "@/lib/money";

export const metadata: Metadata = { title: "Getting started" };

const TYPE_LABEL = { CHAT: "Chat", EMBEDDING: "Embeddings", IMAGE: "Image", VIDEO: "Video", MUSIC: "Music" } as const;

/** Prices in the units people compare: $ per 1M tokens, per image, per task. */
function priceText(m: ModelPrice): string[] {
  const parts: string[] = [];
  if (m.inputPerMtokMicros !== null) parts.push(`${displayUsd(m.inputPerMtokMicros)} / 1M input tokens`);
  if (m.outputPerMtokMicros !== null) parts.push(`${displayUsd(m.outputPerMtokMicros)} / 1M output tokens`);
  if (m.perImageMicros !== null) parts.push(`${displayUsd(m.perImageMicros)} per image`);
  if (m.perTaskMicros !== null) parts.push(`${displayUsd(m.perTaskMicros)} per task`);
  return parts.length ? parts : ["Free"];
}

export default async function GettingStartedPage() {
  await requireUser();
  const [origin, models] = await Promise.all([requestOrigin(), listModelPrices()]);
  const baseUrl = `${origin}/v1`;
  const chatModel = models.find((m) => m.type === "CHAT")?.id ?? "sandbox/chat";
  const snippets = [
    {
      id: "curl",
      title: "curl",
      code: [
        `curl ${baseUrl}/chat/completions \\`,
        `  -H "Authorization: Bearer $METERWAY_API_KEY" \\`,
        `  -H "Content-Type: application/json" \\`,
        `  -d '{"model": "${chatModel}", "messages": [{"role": "user", "content": "Hello!"}]}'`,
      ].join("\n"),
    },
    {
      id: "python",
      title: "Python (openai)",
      code: [
        "# pip install openai",
        "import os",
        "from openai import OpenAI",
        "",
        `client = OpenAI(base_url="${baseUrl}", api_key=os.environ["METERWAY_API_KEY"])`,
        "reply = client.chat.completions.create(",
        `    model="${chatModel}",`,
        '    messages=[{"role": "user", "content": "Hello!"}],',
        ")",
        "print(reply.choices[0].message.content)",
        "print(reply.usage)  # includes cost and cost_micros",
      ].join("\n"),
    },
    {
      id: "node",
      title: "Node.js (openai)",
      code: [
        "// npm install openai",
        'import OpenAI from "openai";',
        "",
        `const client = new OpenAI({ baseURL: "${baseUrl}", apiKey: process.env.METERWAY_API_KEY });`,
        "const reply = await client.chat.completions.create({",
        `  model: "${chatModel}",`,
        '  messages: [{ role: "user", content: "Hello!" }],',
        "});",
        "console.log(reply.choices[0].message.content);",
      ].join("\n"),
    },
  ];

  return (
    <>
      <PageHeader title="Getting started" description="Any OpenAI-compatible client works: point it at your base URL and use one of your API keys." />
      <ol className="space-y-6">
        <li>
          <Card aria-labelledby="step-key">
            <CardHeader
              id="step-key"
              title="1. Create an API key"
              description={
                <>
                  Make one on the{" "}
                  <Link href="/keys" className={linkClasses}>
                    API keys
                  </Link>{" "}
                  page and export it as <code className="font-mono">METERWAY_API_KEY</code>. Requests are paid from your{" "}
                  <Link href="/billing" className={linkClasses}>
                    prepaid balance
                  </Link>
                  .
                </>
              }
            />
            <CardBody>
              <p className="text-sm font-medium">Your base URL</p>
              <div className="mt-1 flex flex-wrap items-center gap-2">
                <code className="min-w-0 rounded-md bg-zinc-100 px-2 py-1 font-mono text-sm break-all dark:bg-zinc-800" data-testid="base-url">
                  {baseUrl}
                </code>
                <CopyButton text={baseUrl} label="Copy base URL" />
              </div>
            </CardBody>
          </Card>
        </li>
        <li>
          <Card aria-labelledby="step-call">
            <CardHeader id="step-call" title="2. Make a request" description="The sandbox models answer locally and cost a fraction of a cent." />
            <CardBody className="space-y-5">
              {snippets.map((s) => (
                <section key={s.id} aria-labelledby={`snippet-${s.id}`}>
                  <div className="flex items-center justify-between gap-2">
                    <h3 id={`snippet-${s.id}`} className="text-sm font-medium">
                      {s.title}
                    </h3>
                    <CopyButton text={s.code} label={`Copy ${s.title}`} />
                  </div>
                  <pre tabIndex={0} aria-label={`${s.title} example`} className="mt-2 overflow-x-auto rounded-lg bg-zinc-950 p-4 font-mono text-xs leading-relaxed text-zinc-100 dark:border dark:border-zinc-800">
                    <code>{s.code}</code>
                  </pre>
                </section>
              ))}
            </CardBody>
          </Card>
        </li>
        <li>
          <Card aria-labelledby="step-models">
            <CardHeader id="step-models" title="3. Pick a model" description="Prices are charged per request, rounded up to the next micro-dollar ($0.000001)." />
            {models.length === 0 ? (
              <EmptyState title="No models are available yet">An operator has not enabled any models.</EmptyState>
            ) : (
              <Table caption="Models and prices">
                <THead>
                  <TR>
                    <TH>Model</TH>
                    <TH>Type</TH>
                    <TH>Price</TH>
                    <TH className="text-right">Context</TH>
                  </TR>
                </THead>
                <TBody>
                  {models.map((m) => (
                    <TR key={m.id}>
                      <TD className="whitespace-normal">
                        <span className="font-mono text-sm">{m.id}</span>
                        <span className="block text-xs text-zinc-600 dark:text-zinc-400">{m.displayName}</span>
                      </TD>
                      <TD>
                        <Badge>{TYPE_LABEL[m.type]}</Badge>
                      </TD>
                      <TD className="tabular-nums">
                        {priceText(m).map((p) => (
                          <span key={p} className="block">
                            {p}
                          </span>
                        ))}
                      </TD>
                      <TD className="text-right tabular-nums">{m.contextWindow ? `${new Intl.NumberFormat("en-US").format(m.contextWindow)} tokens` : "—"}</TD>
                    </TR>
                  ))}
                </TBody>
              </Table>
            )}
          </Card>
        </li>
      </ol>
    </>
  );
}

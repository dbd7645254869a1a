// Creates the providers, models and plans listed in prisma/models.json that do not exist yet.
import { readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { z } from "zod";

const micros = z.number().int().nonnegative().nullable().optional();
const SeedFile = z.object({
  providers: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      kind: z.enum(["SANDBOX", "OPENAI_COMPATIBLE", "ANTHROPIC"]),
      baseUrl: z.string().url().optional(),
      apiKeyEnv: z.string().optional(),
    }),
  ),
  models: z.array(
    z.object({
      id: z.string(),
      type: z.enum(["CHAT", "EMBEDDING", "IMAGE", "VIDEO", "MUSIC"]),
      providerId: z.string(),
      upstreamModel: z.string(),
      displayName: z.string(),
      description: z.string().default(""),
      inputPerMtokMicros: micros,
      outputPerMtokMicros: micros,
      perImageMicros: micros,
      perTaskMicros: micros,
      contextWindow: z.number().int().positive().optional(),
      maxOutputTokens: z.number().int().positive().optional(),
      /** Called when the provider fails before any output: another provider and its name for the model. */
      fallbackProviderId: z.string().optional(),
      fallbackUpstreamModel: z.string().optional(),
    }),
  ),
  plans: z
    .array(
      z.object({
        slug: z.string(),
        name: z.string(),
        description: z.string().default(""),
        interval: z.enum(["MONTH", "YEAR"]),
        priceMicros: z.number().int().nonnegative(),
        allowanceMicros: z.number().int().nonnegative(),
        modelIds: z.array(z.string()).default([]),
        imageAllowance: z.number().int().nonnegative().nullable().default(null),
        taskAllowance: z.number().int().nonnegative().nullable().default(null),
        overageToBalance: z.boolean().default(true),
      }),
    )
    .default([]),
});

export async function seed(databaseUrl: string): Promise<{ providers: number; models: number; plans: number }> {
  const file = SeedFile.parse(JSON.parse(await readFile(path.resolve(import.meta.dirname, "../../prisma/models.json"), "utf8")));
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    let providers = 0;
    let models = 0;
    for (const p of file.providers) {
      const r = await client.query(
        `INSERT INTO providers (id, name, kind, base_url, api_key_env) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
        [p.id, p.name, p.kind, p.baseUrl ?? null, p.apiKeyEnv ?? null],
      );
      providers += r.rowCount ?? 0;
    }
    for (const m of file.models) {
      // The model and its first price-history entry, together; an existing model is left alone.
      const r = await client.query(
        `WITH m AS (
           INSERT INTO models (id, type, provider_id, upstream_model, display_name, description,
             input_per_mtok_micros, output_per_mtok_micros, per_image_micros, per_task_micros, context_window, max_output_tokens,
             fallback_provider_id, fallback_upstream_model)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (id) DO NOTHING
           RETURNING id, input_per_mtok_micros, output_per_mtok_micros, per_image_micros, per_task_micros)
         INSERT INTO model_prices (model_id, input_per_mtok_micros, output_per_mtok_micros, per_image_micros, per_task_micros, changed_by)
         SELECT id, input_per_mtok_micros, output_per_mtok_micros, per_image_micros, per_task_micros, 'seed' FROM m`,
        [m.id, m.type, m.providerId, m.upstreamModel, m.displayName, m.description,
          m.inputPerMtokMicros ?? null, m.outputPerMtokMicros ?? null, m.perImageMicros ?? null, m.perTaskMicros ?? null,
          m.contextWindow ?? null, m.maxOutputTokens ?? null, m.fallbackProviderId ?? null, m.fallbackUpstreamModel ?? null],
      );
      models += r.rowCount ?? 0;
    }
    let plans = 0;
    for (const p of file.plans) {
      const r = await client.query(
        `INSERT INTO plans (slug, name, description, interval, price_micros, allowance_micros, model_ids, image_allowance,
           task_allowance, overage_to_balance)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (slug) DO NOTHING`,
        [p.slug, p.name, p.description, p.interval, p.priceMicros, p.allowanceMicros, p.modelIds, p.imageAllowance,
          p.taskAllowance, p.overageToBalance],
      );
      plans += r.rowCount ?? 0;
    }
    return { providers, models, plans };
  } finally {
    await client.end();
  }
}

// Prisma's CLI downloads a native schema engine on every command, which these machines cannot reach.
// Pointing it at a committed, non-executable placeholder keeps generate/validate/format working and
// makes `migrate`/`db push` fail loudly; migrations are applied by scripts/migrate.ts instead.
import path from "node:path";
import { defineConfig } from "prisma/config";

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve(import.meta.dirname, "prisma/schema-engine.placeholder");
process.env.CHECKPOINT_DISABLE ??= "1";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/placeholder" },
});

// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database) and
// seeds models that do not exist yet. Prints one JSON object.
import { resolveDatabaseUrl } from "./lib/database-url";
import { migrate } from "./lib/migrate";
import { seed } from "./lib/seed";

async function main() {
  const database = await resolveDatabaseUrl((line) => console.error(line));
  try {
    const result = await migrate(database.url, (line) => console.error(line));
    const seeded = await seed(database.url);
    console.log(JSON.stringify({ ok: true, applied: result.applied, already_applied: result.alreadyApplied, seeded }));
  } finally {
    await database.release();
  }
}

main().catch((error) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

// Runs before each test file: a fresh database copied from the migrated template, so the file owns
// its state. DATABASE_URL is set before any app module (lib/env.js) is imported.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, inject } from "vitest";

const adminUrl = inject("pgAdminUrl");
const template = inject("pgTemplate");
const name = `meterway_test_${randomBytes(6).toString("hex")}`;

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
await admin.end();

const url = new URL(adminUrl);
url.pathname = `/${name}`;
process.env.DATABASE_URL = url.toString();

afterAll(async () => {
  const { disconnectDb } = await import("@/lib/db");
  const { stopListening } = await import("@/lib/notifications");
  await disconnectDb();
  await stopListening();
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await client.end();
});

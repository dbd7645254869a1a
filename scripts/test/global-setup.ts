// Vitest global setup: one PostgreSQL for the run (embedded, or TEST_DATABASE_URL's server), and a
// template database migrated and seeded once; every test file then gets its own copy (see
// database-per-file.ts), so tests own their state and run in parallel.
import path from "node:path";
import type { TestProject } from "vitest/node";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../lib/embedded-postgres";
import { migrate } from "../lib/migrate";
import { seed } from "../lib/seed";

export const TEMPLATE_DB = "meterway_test_template";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}

let embedded: EmbeddedDatabase | undefined;

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function setup(project: TestProject) {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const host = new URL(adminUrl).hostname;
    if (!["localhost", "127.0.0.1", "::1"].includes(host) && process.env.ALLOW_REMOTE_TEST_DB !== "1") {
      throw new Error(`refusing to run tests against a non-local database (${host}); set ALLOW_REMOTE_TEST_DB=1 to insist`);
    }
  } else {
    // One cluster per port, so runs on different TEST_PG_PORTs (say, two people in one checkout) never meet.
    const port = Number(process.env.TEST_PG_PORT ?? 54330);
    embedded = await startEmbeddedPostgres({
      dataDir: path.resolve(`.data/test-pg-${port}`),
      port,
      password: "meterway-test",
      fast: true,
    });
    adminUrl = embedded.adminUrl;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Leftovers of an interrupted run.
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'meterway_test_%'`);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${TEMPLATE_DB}"`);
  } finally {
    await admin.end();
  }
  const templateUrl = withDatabase(adminUrl, TEMPLATE_DB);
  await migrate(templateUrl);
  await seed(templateUrl);
  project.provide("pgAdminUrl", adminUrl);
  project.provide("pgTemplate", TEMPLATE_DB);
}

export async function teardown() {
  await embedded?.stop();
}

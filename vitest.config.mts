// Vitest 4: it supports Node 20 (this machine's Node) officially; Vitest 5 needs Node 22.
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["lib/**/*.test.ts", "scripts/**/*.test.ts", "app/**/*.test.ts"],
    exclude: ["node_modules", ".next", "e2e", "bench"],
    environment: "node",
    globalSetup: ["scripts/test/global-setup.ts"],
    setupFiles: ["scripts/test/database-per-file.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    env: {
      NODE_ENV: "test",
      DISABLE_BACKGROUND_JOBS: "true",
      NEXT_TELEMETRY_DISABLED: "1",
      // Short upstream timeouts so the fault tests run quickly.
      UPSTREAM_FIRST_BYTE_TIMEOUT_MS: "1500",
      UPSTREAM_IDLE_TIMEOUT_MS: "1500",
    },
  },
});

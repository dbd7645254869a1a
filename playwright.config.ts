// End-to-end tests: Debian's Chromium (never `playwright install`) against the BUILT app, served as two
// instances on one embedded PostgreSQL by scripts/e2e-servers.ts. Run `npm run build` first (npm test does).
import { defineConfig, devices } from "@playwright/test";

const BASE_PORT = Number(process.env.E2E_BASE_PORT ?? 3100);

export default defineConfig({
  testDir: "e2e",
  // Per base port, so separate runs in one checkout do not clear each other's artifacts.
  outputDir: `test-results/${BASE_PORT}`,
  fullyParallel: false,
  workers: 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: `http://127.0.0.1:${BASE_PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
          ],
        },
      },
    },
  ],
  webServer: {
    command: "npx tsx scripts/e2e-servers.ts",
    url: `http://127.0.0.1:${BASE_PORT + 1}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
  },
});

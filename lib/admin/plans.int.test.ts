// Plans and custom subscriptions from the operators' console, against a real PostgreSQL: only admins
// save them, each save writes its audit row, plan terms are validated (unknown models, duplicate slugs),
// a custom subscription's lines become allowances, and ending one stops them.
import { describe, expect, it } from "vitest";
import { endCustomerSubscription } from "@/lib/admin/end-customer-subscription";
import { listAdminPlans } from "@/lib/admin/list-plans";
import { listCustomerSubscriptions } from "@/lib/admin/list-customer-subscriptions";
import { saveCustomSubscriptionAsAdmin } from "@/lib/admin/save-custom-subscription";
import { savePlan } from "@/lib/admin/save-plan";
import { signUp } from "@/lib/auth/sign-up";
import { db } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { plansOverview } from "@/lib/plans/plans-overview";

let n = 0;
async function makeUser(role: "USER" | "ADMIN") {
  const user = await signUp({ input: { email: `plans-${role.toLowerCase()}-${Date.now()}-${n++}@example.test`, password: "correct horse battery" }, role });
  return { userId: user.id };
}

const plan = (slug: string) => ({
  slug,
  name: `Plan ${slug}`,
  priceMicros: 5_000_000n,
  allowanceMicros: 2_000n,
  modelIds: ["sandbox/chat"],
  overageToBalance: false,
});

async function code(promise: Promise<unknown>) {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return isAppError(error) ? error.code : String(error);
  }
}

describe("savePlan", () => {
  it("creates and edits a plan with an audit row each time, and customers see only active plans", async () => {
    const admin = await makeUser("ADMIN");
    const created = await savePlan({ ctx: admin, input: plan("tiny-one") });
    expect(created.allowanceMicros).toBe(2_000n);
    const edited = await savePlan({ ctx: admin, input: { ...plan("tiny-one"), id: created.id, name: "Tiny", active: false } });
    expect(edited).toMatchObject({ id: created.id, name: "Tiny", active: false });
    const audit = await db.auditEvent.findMany({ where: { targetId: created.id }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["plan.created", "plan.updated"]);
    expect((await listAdminPlans({ ctx: admin })).some((p) => p.id === created.id)).toBe(true);
    const customer = await makeUser("USER");
    const overview = await plansOverview({ ctx: customer });
    expect(overview.plans.some((p) => p.id === created.id)).toBe(false);
    expect(overview.plans.map((p) => p.slug)).toEqual(expect.arrayContaining(["starter", "pro"]));
  });

  it("refuses non-admins, unknown models and a duplicate slug", async () => {
    const admin = await makeUser("ADMIN");
    const user = await makeUser("USER");
    expect(await code(savePlan({ ctx: user, input: plan("not-mine") }))).toBe("not_found");
    expect(await code(savePlan({ ctx: admin, input: { ...plan("no-model"), modelIds: ["no/such-model"] } }))).toBe("invalid_request");
    await savePlan({ ctx: admin, input: plan("twice") });
    expect(await code(savePlan({ ctx: admin, input: plan("twice") }))).toBe("conflict");
    expect(await db.plan.count({ where: { slug: { in: ["not-mine", "no-model"] } } })).toBe(0);
  });
});

describe("custom subscriptions", () => {
  it("turns lines into allowances, edits them in place, and ends the subscription — each with an audit row", async () => {
    const admin = await makeUser("ADMIN");
    const customer = await makeUser("USER");
    const input = {
      userId: customer.userId,
      name: "Acme bundle",
      priceMicros: 300_000_000n,
      interval: "MONTH" as const,
      balanceFallback: false,
      lines: [
        { label: "Images", modelIds: ["sandbox/image"], unit: "UNITS" as const, limit: 2_000n, ratePerMinute: null },
        { label: "Chat", modelIds: ["sandbox/chat"], unit: "MICROS" as const, limit: 300_000_000n, ratePerMinute: null },
        { label: "Embeddings", modelIds: ["sandbox/embed"], unit: "UNITS" as const, limit: null, ratePerMinute: 60 },
      ],
    };
    expect(await code(saveCustomSubscriptionAsAdmin({ ctx: customer, input }))).toBe("not_found");
    const { subscriptionId, created } = await saveCustomSubscriptionAsAdmin({ ctx: admin, input });
    expect(created).toBe(true);
    let { subscriptions } = await listCustomerSubscriptions({ ctx: admin, input: { userId: customer.userId } });
    expect(subscriptions[0]!.allowances.map((a) => [a.label, a.limit])).toEqual([
      ["Images", 2_000n],
      ["Chat", 300_000_000n],
      ["Embeddings", null],
    ]);

    await saveCustomSubscriptionAsAdmin({ ctx: admin, input: { ...input, subscriptionId, lines: input.lines.slice(0, 1) } });
    ({ subscriptions } = await listCustomerSubscriptions({ ctx: admin, input: { userId: customer.userId } }));
    expect(subscriptions[0]!.allowances.map((a) => a.label)).toEqual(["Images"]);

    expect(await code(saveCustomSubscriptionAsAdmin({ ctx: admin, input: { ...input, lines: [{ ...input.lines[0]!, modelIds: ["no/such"] }] } }))).toBe("invalid_request");

    expect(await endCustomerSubscription({ ctx: admin, input: { userId: customer.userId, subscriptionId } })).toEqual({ ended: true });
    expect(await code(endCustomerSubscription({ ctx: admin, input: { userId: customer.userId, subscriptionId } }))).toBe("conflict");
    ({ subscriptions } = await listCustomerSubscriptions({ ctx: admin, input: { userId: customer.userId } }));
    expect(subscriptions[0]!.status).toBe("CANCELED");
    const audit = await db.auditEvent.findMany({ where: { targetId: subscriptionId }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["subscription.custom_created", "subscription.custom_updated", "subscription.ended"]);
  });
});

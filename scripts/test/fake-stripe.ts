// A local fake of the parts of Stripe's API this app uses (test code only): customers, Checkout
// Sessions with a hosted payment page, PaymentIntents (off-session auto top-up, a declining card),
// lists for reconciliation, idempotency keys — plus signed webhook delivery to the app, with the
// real SDK's `generateTestHeaderString`. Requests arrive from the real Stripe Node SDK.
// Stripe Billing too, in API version 2026-10-28.endive's wire format: recurring Prices, Checkout in
// subscription mode (paying creates the subscription and its paid first invoice), subscription
// updates (price with proration, cancel_at_period_end or a cancel_at timestamp, metadata), cancellation,
// a Customer Portal page, and test-only controls to renew (the next period's invoice.paid) or delete a subscription
// (`POST /_test/subscriptions/:id/renew` — body `start=now` starts the next period now instead of at
// the current one's end — and `POST /_test/subscriptions/:id/delete`; find the id with
// `GET /v1/subscriptions?customer=cus_…`).
// Billing periods live on the subscription items; an invoice names its subscription under
// parent.subscription_details and its service period on its lines; only a renewal's invoice
// (billing_reason subscription_create / subscription_cycle) covers a new period — a mid-period upgrade
// is billed by a proration invoice (billing_reason subscription_update, lines with proration: true).
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import qs from "qs";
import Stripe from "stripe";

export const DECLINING_PAYMENT_METHOD = "pm_card_chargeDeclined";

type Obj = Record<string, unknown> & { id: string; created: number };
export interface FakeEvent { id: string; type: string; payload: string; header: string }

export interface FakeStripe {
  url: string;
  /** Where signed events are delivered (set before use). */
  webhookUrl: string;
  secret: string;
  sessions: Map<string, Obj>;
  intents: Map<string, Obj>;
  customers: Map<string, Obj>;
  prices: Map<string, Obj>;
  subscriptions: Map<string, Obj>;
  invoices: Map<string, Obj>;
  /** Every API request received (not the hosted pages), oldest first, its form parameters decoded: what the app sent. */
  requests: { method: string; path: string; params: Record<string, unknown> }[];
  /** Builds a signed event for `object` (does not send it). */
  event(type: string, object: Obj, previousAttributes?: Record<string, unknown>): FakeEvent;
  /** Sends a signed event to webhookUrl; resolves with the app's status. */
  deliver(event: { payload: string; header: string }): Promise<number>;
  /** Marks a payment-mode session paid (as the hosted page does) and returns its checkout.session.completed event. */
  pay(sessionId: string, opts?: { paymentMethod?: string }): FakeEvent;
  /**
   * Pays a subscription-mode session as the hosted page does: creates the subscription and its paid
   * first invoice, and returns the events Stripe sends, in Stripe's order (not sent). `start` (unix
   * seconds, default now) backdates the first period; `paymentMethod` is the card kept for later charges.
   */
  paySubscription(sessionId: string, opts?: { paymentMethod?: string; start?: number }): {
    subscription: Obj;
    invoice: Obj;
    events: { created: FakeEvent; invoicePaid: FakeEvent; updated: FakeEvent; completed: FakeEvent };
  };
  /**
   * The period ends: the next one begins at `start` (unix seconds; default the current period's end)
   * and its invoice is paid — or, when set to cancel at the period end, the subscription ends.
   * Returns the events (not sent), in Stripe's order.
   */
  renewSubscription(subscriptionId: string, opts?: { start?: number }): { invoice: Obj | null; events: FakeEvent[] };
  /** Ends a subscription now (as the Dashboard's "cancel immediately"); returns customer.subscription.deleted (not sent). */
  deleteSubscription(subscriptionId: string): FakeEvent;
  /**
   * Events that API calls (subscription updates, cancellations, the portal) raised while webhookUrl
   * was unset, oldest first; taking them empties the list. With webhookUrl set they are delivered.
   */
  takeEvents(): FakeEvent[];
  close(): Promise<void>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;
const now = () => Math.floor(Date.now() / 1000);
const addMonths = (seconds: number, months: number) => {
  const d = new Date(seconds * 1000);
  d.setUTCMonth(d.getUTCMonth() + months);
  return Math.floor(d.getTime() / 1000);
};
const clone = <T>(value: T): T => structuredClone(value);
const notFound = (what: string) => ({ status: 404, body: { error: { type: "invalid_request_error", code: "resource_missing", message: `No such ${what}` } } });

export async function startFakeStripe({ secret = "whsec_test_fake", port = 0 } = {}): Promise<FakeStripe> {
  const signer = new Stripe("sk_test_fake_signer");
  const sessions = new Map<string, Obj>();
  const intents = new Map<string, Obj>();
  const customers = new Map<string, Obj>();
  const prices = new Map<string, Obj>();
  const subscriptions = new Map<string, Obj>();
  const invoices = new Map<string, Obj>();
  const requests: FakeStripe["requests"] = [];
  const portalSessions = new Map<string, Obj>();
  // What Stripe keeps but does not show on the objects: a product's name, a subscription Checkout's terms.
  const productNames = new Map<string, string>();
  const subscriptionCheckouts = new Map<string, { priceId: string; metadata: Record<string, string> }>();
  const nameOf = (price: Obj) => productNames.get(String(price.product)) ?? String(price.id);
  const outbox: FakeEvent[] = [];
  let deliveries: Promise<unknown> = Promise.resolve();
  const idempotent = new Map<string, { status: number; body: unknown }>();

  function charge(intent: Obj) {
    return { id: id("ch"), object: "charge", payment_intent: intent.id, amount: intent.amount, amount_refunded: 0, receipt_url: `https://pay.stripe.test/receipts/${intent.id}` };
  }

  function createIntent(params: Record<string, unknown>): { status: number; body: unknown } {
    const intent: Obj = {
      id: id("pi"), object: "payment_intent", created: now(),
      amount: Number(params.amount), amount_received: 0, currency: params.currency ?? "usd",
      customer: params.customer ?? null, payment_method: params.payment_method ?? null,
      metadata: params.metadata ?? {}, status: "requires_payment_method", last_payment_error: null, latest_charge: null,
    };
    if (params.confirm === "true") {
      if (intent.payment_method === DECLINING_PAYMENT_METHOD) {
        intent.status = "requires_payment_method";
        intent.last_payment_error = { message: "Your card was declined.", code: "card_declined" };
        intents.set(intent.id, intent);
        return { status: 402, body: { error: { type: "card_error", code: "card_declined", message: "Your card was declined.", payment_intent: intent } } };
      }
      intent.status = "succeeded";
      intent.amount_received = intent.amount;
      intent.latest_charge = charge(intent).id;
    }
    intents.set(intent.id, intent);
    return { status: 200, body: intent };
  }

  function list(map: Map<string, Obj>, query: Record<string, unknown>, url: string) {
    const gte = Number((query.created as { gte?: string } | undefined)?.gte ?? 0);
    const data = [...map.values()].filter((o) => o.created >= gte).sort((a, b) => b.created - a.created);
    return { object: "list", data, has_more: false, url };
  }

  function event(type: string, object: Obj, previousAttributes?: Record<string, unknown>): FakeEvent {
    const data = previousAttributes ? { object, previous_attributes: previousAttributes } : { object };
    const evt = { id: id("evt"), object: "event", type, created: now(), api_version: "2026-10-28.endive", livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, data };
    const payload = JSON.stringify(evt);
    return { id: evt.id, type, payload, header: signer.webhooks.generateTestHeaderString({ payload, secret }) };
  }

  /** An event raised by an API call: delivered in order, after the call answers (as Stripe does), or kept for takeEvents. */
  function emit(evt: FakeEvent) {
    if (!fake.webhookUrl) {
      outbox.push(evt);
      return;
    }
    deliveries = deliveries.then(() => new Promise((r) => setTimeout(r, 0))).then(() => fake.deliver(evt).catch(() => 0));
  }

  async function deliverAll(events: FakeEvent[]) {
    for (const evt of events) await fake.deliver(evt).catch(() => 0);
  }

  // --- Stripe Billing ---------------------------------------------------------------------------

  function createPrice(params: Record<string, unknown>): { status: number; body: unknown } {
    const recurring = params.recurring as { interval?: string; interval_count?: string } | undefined;
    const productData = params.product_data as { name?: string } | undefined;
    const price: Obj = {
      id: id("price"), object: "price", created: now(), active: true, billing_scheme: "per_unit", currency: params.currency ?? "usd",
      livemode: false, lookup_key: null, metadata: params.metadata ?? {}, nickname: null,
      product: typeof params.product === "string" ? params.product : id("prod"),
      recurring: recurring ? { interval: recurring.interval ?? "month", interval_count: Number(recurring.interval_count ?? 1), usage_type: "licensed", meter: null, trial_period_days: null } : null,
      tax_behavior: "unspecified", tiers_mode: null, transform_quantity: null, type: recurring ? "recurring" : "one_time",
      unit_amount: Number(params.unit_amount), unit_amount_decimal: String(params.unit_amount),
    };
    prices.set(price.id, price);
    if (productData?.name) productNames.set(String(price.product), productData.name);
    return { status: 200, body: price };
  }

  function periodEnd(start: number, price: Obj) {
    const recurring = price.recurring as { interval: string; interval_count: number } | null;
    const months = recurring?.interval === "year" ? 12 * recurring.interval_count : (recurring?.interval_count ?? 1);
    return addMonths(start, months);
  }

  function item(sub: Obj) {
    return ((sub.items as { data: Obj[] }).data)[0]!;
  }

  function newSubscription(opts: { customer: unknown; price: Obj; metadata: Record<string, string>; start: number; paymentMethod: string }): Obj {
    const sid = id("sub");
    const start = opts.start;
    const si: Obj = {
      id: id("si"), object: "subscription_item", created: start, subscription: sid, quantity: 1, metadata: {},
      price: opts.price, current_period_start: start, current_period_end: periodEnd(start, opts.price),
    };
    const sub: Obj = {
      id: sid, object: "subscription", created: start, customer: opts.customer, currency: "usd", livemode: false,
      status: "incomplete", collection_method: "charge_automatically", start_date: start, billing_cycle_anchor: start,
      cancel_at_period_end: false, cancel_at: null, canceled_at: null, ended_at: null,
      default_payment_method: opts.paymentMethod, latest_invoice: null, metadata: opts.metadata, pending_update: null,
      items: { object: "list", data: [si], has_more: false, url: `/v1/subscription_items?subscription=${sid}` },
    };
    subscriptions.set(sid, sub);
    return sub;
  }

  interface LineInput { amount: number; price: Obj; start: number; end: number; proration: boolean; description: string }

  function newInvoice(sub: Obj, billingReason: string, lines: LineInput[]): Obj {
    const inv = id("in");
    const total = lines.reduce((sum, l) => sum + l.amount, 0);
    const paid = Math.max(0, total);
    const created = now();
    const si = item(sub);
    const invoice: Obj = {
      id: inv, object: "invoice", created, customer: sub.customer, currency: "usd", livemode: false,
      status: "paid", billing_reason: billingReason, collection_method: "charge_automatically",
      amount_due: paid, amount_paid: paid, amount_remaining: 0, subtotal: total, total,
      // The invoice's own period is NOT the service period (for a renewal it is the period that ended).
      period_start: billingReason === "subscription_cycle" ? Number(si.current_period_start) : created,
      period_end: billingReason === "subscription_cycle" ? Number(si.current_period_start) : created,
      hosted_invoice_url: `${fake.url}/invoices/${inv}`, invoice_pdf: `${fake.url}/invoices/${inv}/pdf`,
      status_transitions: { finalized_at: created, paid_at: created, marked_uncollectible_at: null, voided_at: null },
      parent: { type: "subscription_details", quote_details: null, subscription_details: { subscription: sub.id, metadata: clone(sub.metadata) } },
      lines: {
        object: "list", has_more: false, url: `/v1/invoices/${inv}/lines`,
        data: lines.map((l) => ({
          id: id("il"), object: "line_item", invoice: inv, amount: l.amount, currency: "usd", description: l.description,
          quantity: 1, period: { start: l.start, end: l.end }, metadata: {},
          parent: {
            type: "subscription_item_details", invoice_item_details: null,
            subscription_item_details: { subscription: sub.id, subscription_item: si.id, proration: l.proration, invoice_item: null, proration_details: { credited_items: null } },
          },
          pricing: { type: "price_details", price_details: { price: l.price.id, product: l.price.product }, unit_amount_decimal: String(l.price.unit_amount) },
        })),
      },
    };
    invoices.set(inv, invoice);
    sub.latest_invoice = inv;
    return invoice;
  }

  function paySubscription(sessionId: string, opts: { paymentMethod?: string; start?: number } = {}) {
    const session = sessions.get(sessionId);
    if (!session) throw new Error(`no session ${sessionId}`);
    if (session.mode !== "subscription") throw new Error(`session ${sessionId} is not in subscription mode`);
    if (session.status === "complete") throw new Error(`session ${sessionId} is already paid`);
    const terms = subscriptionCheckouts.get(session.id)!;
    const price = prices.get(terms.priceId)!;
    const sub = newSubscription({ customer: session.customer, price, metadata: terms.metadata, start: opts.start ?? now(), paymentMethod: opts.paymentMethod ?? "pm_card_visa" });
    const si = item(sub);
    const created = event("customer.subscription.created", clone(sub));
    const invoice = newInvoice(sub, "subscription_create", [{
      amount: Number(price.unit_amount), price, start: Number(si.current_period_start), end: Number(si.current_period_end), proration: false, description: `1 × ${nameOf(price)}`,
    }]);
    const invoicePaid = event("invoice.paid", clone(invoice));
    sub.status = "active";
    const updated = event("customer.subscription.updated", clone(sub), { status: "incomplete", latest_invoice: null });
    Object.assign(session, { status: "complete", payment_status: "paid", subscription: sub.id, invoice: invoice.id });
    const completed = event("checkout.session.completed", clone(session));
    return { subscription: sub, invoice, events: { created, invoicePaid, updated, completed } };
  }

  function renewSubscription(subscriptionId: string, opts: { start?: number } = {}) {
    const sub = subscriptions.get(subscriptionId);
    if (!sub) throw new Error(`no subscription ${subscriptionId}`);
    if (sub.status === "canceled") throw new Error(`subscription ${subscriptionId} has ended`);
    const si = item(sub);
    if (sub.cancel_at_period_end || (sub.cancel_at != null && Number(sub.cancel_at) <= Number(si.current_period_end))) {
      Object.assign(sub, { status: "canceled", ended_at: Number(sub.cancel_at ?? si.current_period_end), canceled_at: sub.canceled_at ?? now() });
      return { invoice: null, events: [event("customer.subscription.deleted", clone(sub))] };
    }
    const price = si.price as Obj;
    const previous = { items: clone(sub.items) };
    const start = opts.start ?? Number(si.current_period_end);
    Object.assign(si, { current_period_start: start, current_period_end: periodEnd(start, price) });
    const updated = event("customer.subscription.updated", clone(sub), previous);
    const invoice = newInvoice(sub, "subscription_cycle", [{
      amount: Number(price.unit_amount), price, start, end: Number(si.current_period_end), proration: false, description: `1 × ${nameOf(price)}`,
    }]);
    return { invoice, events: [updated, event("invoice.paid", clone(invoice))] };
  }

  function deleteSubscription(subscriptionId: string) {
    const sub = subscriptions.get(subscriptionId);
    if (!sub) throw new Error(`no subscription ${subscriptionId}`);
    if (sub.status !== "canceled") Object.assign(sub, { status: "canceled", canceled_at: now(), ended_at: now(), cancel_at_period_end: false });
    return event("customer.subscription.deleted", clone(sub));
  }

  /** POST /v1/subscriptions/:id — price change (with proration), cancel_at_period_end or cancel_at, metadata. */
  function updateSubscription(sub: Obj, params: Record<string, unknown>): { status: number; body: unknown } {
    if (sub.status === "canceled") {
      return { status: 400, body: { error: { type: "invalid_request_error", message: "A canceled subscription can only update its cancellation_details and metadata." } } };
    }
    // Two ways to schedule the end: Stripe shows cancel_at_period_end as cancel_at = the period end too, and
    // cancel_at_period_end: false calls off only that one (a cancel_at timestamp stays; cancel_at="" unsets
    // it). The fake refuses both in one request, so the app never relies on how Stripe would combine them.
    if (params.cancel_at !== undefined && params.cancel_at_period_end !== undefined) {
      return { status: 400, body: { error: { type: "invalid_request_error", param: "cancel_at", message: "fake stripe: pass either cancel_at or cancel_at_period_end, not both" } } };
    }
    const previous: Record<string, unknown> = {};
    const raised: FakeEvent[] = [];
    let prorationInvoice: Obj | null = null;
    const items = params.items as { id?: string; price?: string }[] | undefined;
    const change = items?.find((i) => i.price);
    if (change) {
      const si = item(sub);
      if (change.id && change.id !== si.id) return notFound(`subscription item: '${change.id}'`);
      const next = prices.get(String(change.price));
      if (!next) return notFound(`price: '${String(change.price)}'`);
      const old = si.price as Obj;
      if (next.id !== old.id) {
        const end = Number(si.current_period_end);
        const start = Number(si.current_period_start);
        const at = Math.min(Math.max(now(), start), end);
        const left = (end - at) / (end - start);
        if (params.proration_behavior === "always_invoice") {
          const credit = -Math.round(Number(old.unit_amount) * left);
          const charge = Math.round(Number(next.unit_amount) * left);
          if (credit + charge > 0 && sub.default_payment_method === DECLINING_PAYMENT_METHOD && params.payment_behavior === "error_if_incomplete") {
            return { status: 402, body: { error: { type: "card_error", code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." } } };
          }
          previous.items = clone(sub.items);
          si.price = next;
          prorationInvoice = newInvoice(sub, "subscription_update", [
            { amount: credit, price: old, start: at, end, proration: true, description: `Unused time on ${nameOf(old)}` },
            { amount: charge, price: next, start: at, end, proration: true, description: `Remaining time on ${nameOf(next)}` },
          ]);
        } else {
          previous.items = clone(sub.items);
          si.price = next;
        }
      }
    }
    if (params.cancel_at_period_end !== undefined) {
      const cancel = params.cancel_at_period_end === "true";
      if (cancel !== sub.cancel_at_period_end) {
        Object.assign(previous, { cancel_at_period_end: sub.cancel_at_period_end, cancel_at: sub.cancel_at, canceled_at: sub.canceled_at });
        Object.assign(sub, cancel
          ? { cancel_at_period_end: true, cancel_at: Number(item(sub).current_period_end), canceled_at: now() }
          : { cancel_at_period_end: false, cancel_at: null, canceled_at: null });
      }
    }
    if (params.cancel_at !== undefined) {
      const at = params.cancel_at === "" ? null : Number(params.cancel_at);
      if (at !== null && !(Number.isInteger(at) && at > now())) {
        return { status: 400, body: { error: { type: "invalid_request_error", param: "cancel_at", message: "fake stripe: cancel_at must be a future unix timestamp or ''" } } };
      }
      if (at !== sub.cancel_at || sub.cancel_at_period_end) {
        Object.assign(previous, { cancel_at_period_end: sub.cancel_at_period_end, cancel_at: sub.cancel_at, canceled_at: sub.canceled_at });
        Object.assign(sub, { cancel_at_period_end: false, cancel_at: at, canceled_at: at === null ? null : now() });
      }
    }
    if (params.metadata !== undefined) {
      previous.metadata = clone(sub.metadata);
      const metadata = { ...(sub.metadata as Record<string, string>) };
      for (const [k, v] of Object.entries((params.metadata || {}) as Record<string, string>)) {
        if (v === "") delete metadata[k];
        else metadata[k] = v;
      }
      sub.metadata = metadata;
    }
    if (Object.keys(previous).length > 0) raised.push(event("customer.subscription.updated", clone(sub), previous));
    if (prorationInvoice) raised.push(event("invoice.paid", clone(prorationInvoice)));
    raised.forEach(emit);
    return { status: 200, body: sub };
  }

  function pay(sessionId: string, opts: { paymentMethod?: string } = {}) {
    const session = sessions.get(sessionId);
    if (!session) throw new Error(`no session ${sessionId}`);
    if (session.mode === "subscription") throw new Error(`session ${sessionId} is in subscription mode: use paySubscription`);
    const pid = (session.payment_intent_data ?? {}) as { metadata?: Record<string, string> };
    const { body } = createIntent({ amount: session.amount_total, currency: "usd", customer: session.customer, payment_method: opts.paymentMethod ?? "pm_card_visa", metadata: pid.metadata ?? {}, confirm: "true" });
    Object.assign(session, { status: "complete", payment_status: "paid", payment_intent: (body as Obj).id });
    return event("checkout.session.completed", session);
  }

  const fake: FakeStripe = {
    url: "",
    webhookUrl: "",
    secret,
    sessions,
    intents,
    customers,
    prices,
    subscriptions,
    invoices,
    requests,
    event,
    pay,
    paySubscription,
    renewSubscription,
    deleteSubscription,
    takeEvents: () => outbox.splice(0, outbox.length),
    async deliver({ payload, header }) {
      const res = await fetch(fake.webhookUrl, { method: "POST", headers: { "content-type": "application/json", "stripe-signature": header }, body: payload });
      await res.arrayBuffer();
      return res.status;
    },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const [path = "", search = ""] = (req.url ?? "").split("?");
    const query = qs.parse(search) as Record<string, unknown>;
    const params = qs.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
    if (path.startsWith("/v1/")) requests.push({ method: req.method ?? "GET", path, params });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json", "request-id": id("req") });
      res.end(JSON.stringify(body));
    };
    const key = req.headers["idempotency-key"];
    const remember = (result: { status: number; body: unknown }) => {
      if (typeof key === "string") idempotent.set(`${req.method} ${path} ${key}`, result);
      send(result.status, result.body);
    };
    if (typeof key === "string" && req.method === "POST") {
      const seen = idempotent.get(`${req.method} ${path} ${key}`);
      if (seen) return send(seen.status, seen.body);
    }

    let m: RegExpExecArray | null;
    if (req.method === "POST" && path === "/v1/customers") {
      const customer: Obj = { id: id("cus"), object: "customer", created: now(), email: params.email ?? null, metadata: params.metadata ?? {} };
      customers.set(customer.id, customer);
      return remember({ status: 200, body: customer });
    }
    if (req.method === "POST" && path === "/v1/checkout/sessions") {
      const items = (params.line_items as { price?: string; price_data?: { unit_amount: string }; quantity: string }[]) ?? [];
      let amount = 0;
      for (const i of items) {
        const price = i.price ? prices.get(i.price) : undefined;
        if (i.price && !price) return send(400, { error: { type: "invalid_request_error", code: "resource_missing", param: "line_items[0][price]", message: `No such price: '${i.price}'` } });
        amount += Number(price ? price.unit_amount : i.price_data?.unit_amount) * Number(i.quantity ?? 1);
      }
      if (params.mode === "subscription" && !(items.length === 1 && items[0]!.price && prices.get(items[0]!.price)?.recurring)) {
        return send(400, { error: { type: "invalid_request_error", message: "fake stripe: subscription mode takes one recurring price" } });
      }
      const sid = id("cs_test");
      const session: Obj = {
        id: sid, object: "checkout.session", created: now(), mode: params.mode, status: "open", payment_status: "unpaid",
        amount_total: amount, currency: "usd", client_reference_id: params.client_reference_id ?? null, customer: params.customer ?? null,
        metadata: params.metadata ?? {}, payment_intent: null, payment_intent_data: params.payment_intent_data ?? {},
        ...(params.mode === "subscription" ? { subscription: null, invoice: null } : {}),
        success_url: params.success_url, cancel_url: params.cancel_url, url: `${fake.url}/pay/${sid}`,
      };
      sessions.set(sid, session);
      if (params.mode === "subscription") {
        const data = (params.subscription_data ?? {}) as { metadata?: Record<string, string> };
        subscriptionCheckouts.set(sid, { priceId: items[0]!.price!, metadata: data.metadata ?? {} });
      }
      return remember({ status: 200, body: session });
    }
    if (req.method === "GET" && path === "/v1/checkout/sessions") return send(200, list(sessions, query, path));
    if (req.method === "GET" && (m = /^\/v1\/checkout\/sessions\/([\w]+)$/.exec(path))) {
      const s = sessions.get(m[1]!);
      return s ? send(200, s) : send(404, { error: { type: "invalid_request_error", message: "No such checkout session" } });
    }
    if (req.method === "POST" && path === "/v1/payment_intents") return remember(createIntent(params));
    if (req.method === "GET" && path === "/v1/payment_intents") return send(200, list(intents, query, path));
    if (req.method === "GET" && (m = /^\/v1\/payment_intents\/([\w]+)$/.exec(path))) {
      const intent = intents.get(m[1]!);
      if (!intent) return send(404, { error: { type: "invalid_request_error", message: "No such payment_intent" } });
      const expand = ([] as string[]).concat((query.expand as string[] | undefined) ?? []);
      return send(200, expand.includes("latest_charge") && intent.latest_charge ? { ...intent, latest_charge: { ...charge(intent), id: intent.latest_charge } } : intent);
    }
    if (req.method === "POST" && path === "/v1/prices") return remember(createPrice(params));
    if (req.method === "GET" && (m = /^\/v1\/prices\/([\w]+)$/.exec(path))) {
      const price = prices.get(m[1]!);
      return price ? send(200, price) : send(404, notFound("price").body);
    }
    if (req.method === "GET" && path === "/v1/subscriptions") {
      const all = list(subscriptions, query, path);
      const status = typeof query.status === "string" ? query.status : undefined;
      all.data = all.data.filter((x) => (!query.customer || x.customer === query.customer) && (status === "all" || (status ? x.status === status : x.status !== "canceled")));
      return send(200, all);
    }
    if ((m = /^\/v1\/subscriptions\/([\w]+)$/.exec(path))) {
      const sub = subscriptions.get(m[1]!);
      if (!sub) return send(404, notFound(`subscription: '${m[1]}'`).body);
      if (req.method === "GET") return send(200, sub);
      if (req.method === "POST") return remember(updateSubscription(sub, params));
      if (req.method === "DELETE") {
        if (sub.status === "canceled") return send(400, { error: { type: "invalid_request_error", message: "This subscription has already been canceled." } });
        emit(deleteSubscription(sub.id));
        return send(200, sub);
      }
    }
    if (req.method === "GET" && path === "/v1/invoices") {
      const all = list(invoices, query, path);
      if (typeof query.status === "string") all.data = all.data.filter((x) => x.status === query.status);
      return send(200, all);
    }
    if (req.method === "GET" && (m = /^\/v1\/invoices\/([\w]+)$/.exec(path))) {
      const invoice = invoices.get(m[1]!);
      return invoice ? send(200, invoice) : send(404, notFound("invoice").body);
    }
    if (req.method === "POST" && path === "/v1/billing_portal/sessions") {
      if (typeof params.customer !== "string" || !customers.has(params.customer)) return send(400, notFound(`customer: '${String(params.customer)}'`).body);
      const bps: Obj = {
        id: id("bps"), object: "billing_portal.session", created: now(), configuration: id("bpc"), customer: params.customer, customer_account: null,
        flow: null, livemode: false, locale: null, on_behalf_of: null, return_url: params.return_url ?? null, url: "",
      };
      bps.url = `${fake.url}/portal/${bps.id}`;
      portalSessions.set(bps.id, bps);
      return remember({ status: 200, body: bps });
    }
    // Test-only controls (no such thing at Stripe): the period ends (renewal, or the end of a
    // subscription set to cancel), or the subscription is deleted now. Events are delivered before answering.
    if (req.method === "POST" && (m = /^\/_test\/subscriptions\/([\w]+)\/(renew|delete)$/.exec(path))) {
      const sub = subscriptions.get(m[1]!);
      if (!sub) return send(404, notFound("subscription").body);
      if (sub.status === "canceled") return send(400, { error: { type: "invalid_request_error", message: "This subscription has ended." } });
      const events = m[2] === "renew" ? renewSubscription(sub.id, params.start === "now" ? { start: now() } : {}).events : [deleteSubscription(sub.id)];
      await deliverAll(events);
      return send(200, { subscription: sub, events: events.map((e) => ({ id: e.id, type: e.type })) });
    }
    // Stripe's Customer Portal, reduced to what this app relies on: cancel at the period end (or take
    // it back) and switch price, each raising customer.subscription.updated.
    if ((m = /^\/portal\/([\w]+)$/.exec(path))) {
      const bps = portalSessions.get(m[1]!);
      if (!bps) {
        res.writeHead(404).end("no such portal session");
        return;
      }
      const own = [...subscriptions.values()].filter((x) => x.customer === bps.customer && x.status !== "canceled");
      if (req.method === "GET") {
        const recurring = [...prices.values()].filter((p) => p.recurring);
        const rows = own.map((x) => {
          const price = item(x).price as Obj;
          const switches = recurring.filter((p) => p.id !== price.id).map((p) =>
            `<form method="post"><input type="hidden" name="subscription" value="${x.id}"><input type="hidden" name="price" value="${p.id}"><button type="submit" name="action" value="switch">Switch to ${nameOf(p)}</button></form>`).join("");
          const ending = x.cancel_at_period_end || x.cancel_at != null;
          return `<section><h2>${nameOf(price)}</h2><p>${ending ? "Cancels at the period end" : "Renews"}</p>
            <form method="post"><input type="hidden" name="subscription" value="${x.id}"><button type="submit" name="action" value="${ending ? "renew" : "cancel"}">${ending ? "Renew plan" : "Cancel plan"}</button></form>${switches}</section>`;
        }).join("");
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end(`<!doctype html><html lang="en"><title>Fake Stripe Customer Portal</title><body><main><h1>Fake Stripe Customer Portal</h1>${rows || "<p>No subscriptions.</p>"}
          <p><a href="${String(bps.return_url ?? "/")}">Return</a></p></main></body></html>`);
        return;
      }
      const sub = own.find((x) => x.id === params.subscription);
      if (sub) {
        const update = params.action === "switch" ? { items: [{ id: item(sub).id, price: params.price }], proration_behavior: "always_invoice" }
          : params.action === "cancel" ? { cancel_at_period_end: "true" }
          : sub.cancel_at_period_end ? { cancel_at_period_end: "false" } : { cancel_at: "" };
        updateSubscription(sub, update);
        // Delivered before the browser returns, so the app shows the change at once.
        if (fake.webhookUrl) await deliveries;
      }
      res.writeHead(303, { location: String(bps.return_url ?? `/portal/${bps.id}`) }).end();
      return;
    }
    // The hosted payment page a browser is sent to.
    if ((m = /^\/pay\/([\w]+)$/.exec(path))) {
      const session = sessions.get(m[1]!);
      if (!session) {
        res.writeHead(404).end("no such session");
        return;
      }
      if (req.method === "GET") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end(`<!doctype html><html lang="en"><title>Fake Stripe Checkout</title><body><main><h1>Fake Stripe Checkout</h1>
          <p>Pay $${(Number(session.amount_total) / 100).toFixed(2)}</p>
          <form method="post"><button type="submit">Pay</button></form></main></body></html>`);
        return;
      }
      if (session.mode === "subscription") {
        if (session.status !== "complete") {
          const { events } = paySubscription(session.id);
          await deliverAll([events.created, events.invoicePaid, events.updated, events.completed]);
        }
      } else {
        const evt = pay(session.id);
        await fake.deliver(evt).catch(() => 0);
      }
      res.writeHead(303, { location: String(session.success_url).replace("{CHECKOUT_SESSION_ID}", session.id) }).end();
      return;
    }
    send(404, { error: { type: "invalid_request_error", message: `fake stripe: no route ${req.method} ${path}` } });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

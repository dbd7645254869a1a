// A local fake of the parts of Stripe's API this app uses (test code only): customers, Checkout
// Sessions with a hosted payment page, PaymentIntents (off-session auto top-up, a declining card),
// lists for reconciliation, idempotency keys — plus signed webhook delivery to the app, with the
// real SDK's `generateTestHeaderString`. Requests arrive from the real Stripe Node SDK.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import qs from "qs";
import Stripe from "stripe";

export const DECLINING_PAYMENT_METHOD = "pm_card_chargeDeclined";

type Obj = Record<string, unknown> & { id: string; created: number };

export interface FakeStripe {
  url: string;
  /** Where signed events are delivered (set before use). */
  webhookUrl: string;
  secret: string;
  sessions: Map<string, Obj>;
  intents: Map<string, Obj>;
  customers: Map<string, Obj>;
  /** Builds a signed event for `object` (does not send it). */
  event(type: string, object: Obj): { id: string; payload: string; header: string };
  /** Sends a signed event to webhookUrl; resolves with the app's status. */
  deliver(event: { payload: string; header: string }): Promise<number>;
  /** Marks a session paid (as the hosted page does) and returns its checkout.session.completed event. */
  pay(sessionId: string, opts?: { paymentMethod?: string }): { id: string; payload: string; header: string };
  close(): Promise<void>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;
const now = () => Math.floor(Date.now() / 1000);

export async function startFakeStripe({ secret = "whsec_test_fake", port = 0 } = {}): Promise<FakeStripe> {
  const signer = new Stripe("sk_test_fake_signer");
  const sessions = new Map<string, Obj>();
  const intents = new Map<string, Obj>();
  const customers = new Map<string, Obj>();
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

  function event(type: string, object: Obj) {
    const evt = { id: id("evt"), object: "event", type, created: now(), api_version: "2026-10-28.endive", livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, data: { object } };
    const payload = JSON.stringify(evt);
    return { id: evt.id, payload, header: signer.webhooks.generateTestHeaderString({ payload, secret }) };
  }

  function pay(sessionId: string, opts: { paymentMethod?: string } = {}) {
    const session = sessions.get(sessionId);
    if (!session) throw new Error(`no session ${sessionId}`);
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
    event,
    pay,
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
      const items = (params.line_items as { price_data: { unit_amount: string } ; quantity: string }[]) ?? [];
      const amount = items.reduce((sum, i) => sum + Number(i.price_data.unit_amount) * Number(i.quantity ?? 1), 0);
      const sid = id("cs_test");
      const session: Obj = {
        id: sid, object: "checkout.session", created: now(), mode: params.mode, status: "open", payment_status: "unpaid",
        amount_total: amount, currency: "usd", client_reference_id: params.client_reference_id ?? null, customer: params.customer ?? null,
        metadata: params.metadata ?? {}, payment_intent: null, payment_intent_data: params.payment_intent_data ?? {},
        success_url: params.success_url, cancel_url: params.cancel_url, url: `${fake.url}/pay/${sid}`,
      };
      sessions.set(sid, session);
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
      const evt = pay(session.id);
      await fake.deliver(evt).catch(() => 0);
      res.writeHead(303, { location: String(session.success_url).replace("{CHECKOUT_SESSION_ID}", session.id) }).end();
      return;
    }
    send(404, { error: { type: "invalid_request_error", message: `fake stripe: no route ${req.method} ${path}` } });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

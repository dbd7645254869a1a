// One LISTEN connection per process, so in-memory caches (keys, models) drop stale entries the moment
// any instance changes a row (the triggers in the migrations send the NOTIFY). While the connection is
// down, `listening()` is false and caches fall back to a one-second lifetime.
import pg from "pg";
import { env } from "@/lib/env.js";

type Handler = (payload: string) => void;

interface ListenerState {
  handlers: Map<string, Set<Handler>>;
  client?: pg.Client;
  connected: boolean;
  starting: boolean;
}
const state = globalThis as unknown as { __mwListen?: ListenerState };
const listener: ListenerState = (state.__mwListen ??= { handlers: new Map(), connected: false, starting: false });

async function connect(): Promise<void> {
  if (listener.starting || listener.connected || !env.DATABASE_URL) return;
  listener.starting = true;
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  try {
    await client.connect();
    client.on("notification", (msg) => {
      for (const handler of listener.handlers.get(msg.channel) ?? []) handler(msg.payload ?? "");
    });
    const reconnect = () => {
      if (listener.client !== client) return;
      listener.connected = false;
      listener.client = undefined;
      client.end().catch(() => {});
      for (const set of listener.handlers.values()) for (const h of set) h("*"); // anything may have changed meanwhile
      setTimeout(() => void connect(), 1000).unref();
    };
    client.on("error", reconnect);
    client.on("end", reconnect);
    for (const channel of listener.handlers.keys()) await client.query(`LISTEN "${channel}"`);
    listener.client = client;
    listener.connected = true;
  } catch {
    await client.end().catch(() => {});
    setTimeout(() => void connect(), 1000).unref();
  } finally {
    listener.starting = false;
  }
  // A handler registered while connecting still needs its LISTEN.
  for (const channel of listener.handlers.keys()) await listener.client?.query(`LISTEN "${channel}"`).catch(() => {});
}

/** Calls `handler` with each NOTIFY payload on `channel` ("*" means: drop everything). */
export function subscribe(channel: string, handler: Handler): void {
  let set = listener.handlers.get(channel);
  if (!set) {
    set = new Set();
    listener.handlers.set(channel, set);
    void listener.client?.query(`LISTEN "${channel}"`).catch(() => {});
  }
  set.add(handler);
  void connect();
}

export function listening(): boolean {
  return listener.connected;
}

export async function stopListening(): Promise<void> {
  const client = listener.client;
  listener.client = undefined;
  listener.connected = false;
  await client?.end().catch(() => {});
}

// A lean HTTP/1.1 keep-alive client for the open-loop driver (bench/load.ts openLoop). At the overload
// rates of scenario (d) the driver shares a core with the mock and PostgreSQL, and undici's per-request
// machinery (≈100 µs of CPU) made the driver itself seconds late. This one writes prebuilt request bytes
// and reads only what it needs of the answer — the status and where the body ends (content-length, or
// the last chunk of a chunked body) — so the driver costs a fraction of that and the latencies measured
// are the server's. Requests wait in one queue for a free connection, as with undici's Pool.
import net from "node:net";

export type RawOutcome = { status: number } | { timeout: true } | { error: string };

interface Waiter {
  bytes: Buffer;
  deadline: number;
  done: (outcome: RawOutcome) => void;
}

const HEADER_END = Buffer.from("\r\n\r\n");
const LAST_CHUNK = Buffer.from("0\r\n\r\n");

class Connection {
  readonly socket: net.Socket;
  current: Waiter | null = null;
  private chunks: Buffer[] = [];
  private length = 0;

  constructor(
    host: string,
    port: number,
    private readonly onIdle: (c: Connection) => void,
    private readonly onGone: (c: Connection) => void,
  ) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on("data", (data) => this.read(data));
    const gone = (why: string) => {
      this.finish({ error: why });
      this.onGone(this);
    };
    this.socket.on("error", (e) => gone(e.message));
    this.socket.on("close", () => gone("connection closed"));
  }

  send(waiter: Waiter) {
    this.current = waiter;
    this.chunks = [];
    this.length = 0;
    this.socket.write(waiter.bytes);
  }

  /** Ends the current request with `outcome` (once). */
  finish(outcome: RawOutcome) {
    const waiter = this.current;
    if (!waiter) return;
    this.current = null;
    waiter.done(outcome);
  }

  private read(data: Buffer) {
    if (!this.current) return; // nothing asked: ignore (the server closing an idle connection, say)
    this.chunks.push(data);
    this.length += data.length;
    const all = this.chunks.length === 1 ? data : Buffer.concat(this.chunks, this.length);
    this.chunks = [all];
    const headerEnd = all.indexOf(HEADER_END);
    if (headerEnd === -1) return;
    const head = all.toString("latin1", 0, headerEnd).toLowerCase();
    const bodyStart = headerEnd + HEADER_END.length;
    const lengthAt = head.indexOf("\r\ncontent-length:");
    let complete: boolean;
    if (lengthAt !== -1) {
      const lineEnd = head.indexOf("\r\n", lengthAt + 2);
      const value = parseInt(head.slice(lengthAt + "\r\ncontent-length:".length, lineEnd === -1 ? undefined : lineEnd), 10);
      complete = all.length - bodyStart >= value;
    } else if (head.includes("\r\ntransfer-encoding: chunked")) {
      complete = all.length - bodyStart >= LAST_CHUNK.length && all.subarray(all.length - LAST_CHUNK.length).equals(LAST_CHUNK);
    } else {
      return; // a body that ends with the connection: not sent by the servers under test
    }
    if (!complete) return;
    const status = Number(all.toString("latin1", 9, 12));
    this.finish({ status });
    if (head.includes("\r\nconnection: close")) this.socket.destroy();
    else this.onIdle(this);
  }
}

export class RawHttpPool {
  private readonly host: string;
  private readonly port: number;
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly queue: Waiter[] = [];
  private queueHead = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(origin: string, private readonly maxConnections: number) {
    const url = new URL(origin);
    this.host = url.hostname;
    this.port = Number(url.port);
    // Deadlines: every 20 ms, time out the requests in flight and queued past theirs.
    this.sweeper = setInterval(() => this.expire(), 20);
  }

  /** Sends `bytes` (a whole request) and resolves with the answer's status, a timeout or an error; never rejects. */
  request(bytes: Buffer, timeoutMs: number): Promise<RawOutcome> {
    return new Promise((done) => {
      const waiter: Waiter = { bytes, deadline: performance.now() + timeoutMs, done };
      const free = this.idle.pop();
      if (free) return free.send(waiter);
      if (this.all.size < this.maxConnections) return this.open().send(waiter);
      this.queue.push(waiter);
    });
  }

  close() {
    clearInterval(this.sweeper);
    for (const c of this.all) c.socket.destroy();
    for (let i = this.queueHead; i < this.queue.length; i++) this.queue[i]!.done({ error: "pool closed" });
  }

  private open(): Connection {
    const c = new Connection(this.host, this.port, (idle) => this.next(idle), (gone) => this.drop(gone));
    this.all.add(c);
    return c;
  }

  /** A connection is free: it takes the oldest queued request still within its deadline. */
  private next(c: Connection) {
    const waiter = this.dequeue();
    if (waiter) c.send(waiter);
    else this.idle.push(c);
  }

  private dequeue(): Waiter | undefined {
    const now = performance.now();
    while (this.queueHead < this.queue.length) {
      const waiter = this.queue[this.queueHead++]!;
      if (this.queueHead > 4096 && this.queueHead * 2 > this.queue.length) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      if (waiter.deadline > now) return waiter;
      waiter.done({ timeout: true });
    }
    return undefined;
  }

  private drop(c: Connection) {
    if (!this.all.delete(c)) return;
    const at = this.idle.indexOf(c);
    if (at !== -1) this.idle.splice(at, 1);
    // Someone may be waiting for a connection: open one in its place.
    if (this.queueHead < this.queue.length) this.next(this.open());
  }

  private expire() {
    const now = performance.now();
    for (const c of this.all) {
      if (c.current && c.current.deadline <= now) {
        c.finish({ timeout: true });
        c.socket.destroy(); // its answer may still come: the connection cannot be reused
      }
    }
    while (this.queueHead < this.queue.length && this.queue[this.queueHead]!.deadline <= now) {
      this.queue[this.queueHead++]!.done({ timeout: true });
    }
  }
}

/** The bytes of one POST with a JSON body. */
export function postBytes(host: string, path: string, headers: Record<string, string>, body: string): Buffer {
  const lines = [`POST ${path} HTTP/1.1`, `host: ${host}`, `content-length: ${Buffer.byteLength(body)}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n${body}`);
}

// Which address the sign-in limits and the audit log believe: the socket's, or X-Forwarded-For only as
// far as the trusted proxies in front of the app wrote it.
import { describe, expect, it } from "vitest";
import { clientAddress, PEER_HEADER } from "./client-ip";

const from = (headers: Record<string, string>) => (name: string) => headers[name] ?? null;

describe("clientAddress", () => {
  it("believes the socket, not a forwarded header the client wrote, when no proxy is trusted", () => {
    expect(clientAddress(from({ [PEER_HEADER]: "198.51.100.7", "x-forwarded-for": "203.0.113.77" }), 0)).toBe("198.51.100.7");
    expect(clientAddress(from({ "x-forwarded-for": "203.0.113.77", "x-real-ip": "203.0.113.78" }), 0)).toBeNull();
  });

  it("takes the entry the first trusted proxy wrote, whatever the client put before it", () => {
    // The client forged one entry; the load balancer appended the address it saw.
    const forged = from({ [PEER_HEADER]: "10.0.0.2", "x-forwarded-for": "203.0.113.77, 198.51.100.7" });
    expect(clientAddress(forged, 1)).toBe("198.51.100.7");
    // Two proxies: the CDN saw the client, the load balancer saw the CDN.
    const two = from({ [PEER_HEADER]: "10.0.0.2", "x-forwarded-for": "203.0.113.77, 198.51.100.7, 192.0.2.10" });
    expect(clientAddress(two, 2)).toBe("198.51.100.7");
    // Fewer entries than proxies: the leftmost; none at all: the socket.
    expect(clientAddress(from({ "x-forwarded-for": "198.51.100.7" }), 2)).toBe("198.51.100.7");
    expect(clientAddress(from({ [PEER_HEADER]: "10.0.0.2" }), 1)).toBe("10.0.0.2");
  });
});

import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isPrivateAddress, signCallback } from "./callbacks";

describe("task callbacks", () => {
  it("knows private and loopback addresses, which production never calls back", () => {
    for (const a of ["127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "::1", "fd00::1", "::ffff:10.0.0.1", "100.64.0.1"]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ["8.8.8.8", "172.32.0.1", "1.1.1.1", "2606:4700::1111"]) expect(isPrivateAddress(a), a).toBe(false);
  });

  it("signs the body with a timestamp, as documented", () => {
    expect(signCallback("whsec_x", '{"a":1}', 1700000000)).toBe(
      `t=1700000000,v1=${createHmac("sha256", "whsec_x").update(`1700000000.{"a":1}`).digest("hex")}`,
    );
  });
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { isForbiddenAddress } from "./safe-fetch.ts";

test("addresses a fetch on a member's behalf may never reach", () => {
  for (const address of ["127.0.0.1", "10.1.2.3", "172.16.0.9", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "not-an-ip"]) {
    assert.equal(isForbiddenAddress(address, false), true, address);
  }
  for (const address of ["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700:4700::1111", "::ffff:93.184.216.34"]) assert.equal(isForbiddenAddress(address, false), false, address);
});

test("the loopback switch opens loopback only, never private or link-local networks", () => {
  for (const address of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]) assert.equal(isForbiddenAddress(address, true), false, address);
  for (const address of ["10.0.0.1", "192.168.0.1", "169.254.169.254", "fe80::1", "0.0.0.0"]) assert.equal(isForbiddenAddress(address, true), true, address);
});

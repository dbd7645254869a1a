// Argon2id (@node-rs/argon2: a maintained, prebuilt native binding — no compiler, no download).
import { hash, verify } from "@node-rs/argon2";

export function hashPassword(password: string): Promise<string> {
  return hash(password, { memoryCost: 19_456, timeCost: 2, parallelism: 1 });
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** Verified against when the email is unknown, so a miss takes as long as a wrong password. */
export const DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$1Xo0Pi6v8bHtuC1J3pcTyKMh2xoWkxmV7XH12Jf4gBo";

// Secrets a development machine generates once and keeps under the data folder (never committed).
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export interface LocalSecrets {
  nextauthSecret: string;
  postgresPassword: string;
}

export async function loadLocalSecrets(dataDir: string): Promise<LocalSecrets> {
  const file = path.join(dataDir, "secrets.json");
  try {
    return JSON.parse(await readFile(file, "utf8")) as LocalSecrets;
  } catch {
    const secrets: LocalSecrets = {
      nextauthSecret: randomBytes(32).toString("base64url"),
      postgresPassword: randomBytes(18).toString("base64url"),
    };
    await mkdir(dataDir, { recursive: true, mode: 0o755 });
    await writeFile(file, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600 });
    return secrets;
  }
}

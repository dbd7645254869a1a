// Outgoing mail (nodemailer). SMTP_URL set ⇒ sent through it; unset ⇒ written as .eml files to the
// local outbox (DATA_DIR/outbox), so a developer can open what would have been sent.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";
import { env } from "@/lib/env.js";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

const FROM = () => env.MAIL_FROM ?? "Meterway <no-reply@meterway.local>";

export function outboxDir(): string {
  return path.resolve(env.DATA_DIR, "outbox");
}

export async function sendMail(mail: Mail): Promise<void> {
  if (env.SMTP_URL) {
    await nodemailer.createTransport(env.SMTP_URL).sendMail({ from: FROM(), ...mail });
    return;
  }
  const info = await nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" }).sendMail({ from: FROM(), ...mail });
  await mkdir(outboxDir(), { recursive: true });
  const name = `${new Date().toISOString().replace(/[:.]/g, "-")}-${mail.to.replace(/[^a-zA-Z0-9@.-]/g, "_")}.eml`;
  await writeFile(path.join(outboxDir(), name), info.message as Buffer);
}

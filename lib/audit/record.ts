// The audit log: who did what to what, append-only (a trigger refuses UPDATE and DELETE). Pass the
// caller's transaction so the event commits or rolls back with the change it describes.
import { z } from "zod";
import { Prisma, type Db, type Tx } from "@/lib/db";

const Json = z.record(z.string(), z.unknown()).nullable().optional();

export const AuditEventInput = z.object({
  /** The user who acted (null for the system or an anonymous attempt). */
  actorId: z.uuid().nullable().optional(),
  /** How the actor reads in the log; defaults to the actor's email, else "system". */
  actorLabel: z.string().max(320).optional(),
  /** Dotted, past tense: "key.created", "balance.adjusted", "auth.sign_in_failed"… */
  action: z.string().regex(/^[a-z_]+(\.[a-z_]+)+$/, "action must look like key.created"),
  targetType: z.string().min(1).max(40),
  targetId: z.string().max(200).nullable().optional(),
  before: Json,
  after: Json,
  ip: z.string().max(100).nullable().optional(),
});
export type AuditEventInput = z.input<typeof AuditEventInput>;

/** BigInts and Dates become JSON-friendly strings. */
function toJson(value: Record<string, unknown> | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/** Appends one audit event, inside `client` (a transaction, or the plain client for a standalone event). */
export async function recordAudit(client: Tx | Db, event: AuditEventInput): Promise<void> {
  const e = AuditEventInput.parse(event);
  const actorId = e.actorId ?? null;
  await client.$executeRaw(Prisma.sql`
    INSERT INTO audit_events (actor_id, actor_label, action, target_type, target_id, before, after, ip)
    VALUES (${actorId}::uuid,
            COALESCE(${e.actorLabel ?? null}::text, (SELECT email FROM users WHERE id = ${actorId}::uuid), 'system'),
            ${e.action}, ${e.targetType}, ${e.targetId ?? null}, ${toJson(e.before)}::jsonb, ${toJson(e.after)}::jsonb,
            ${e.ip ?? null})`);
}

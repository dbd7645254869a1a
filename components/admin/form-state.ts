import type { ActionAnswer } from "@/components/ui/alert";

/** What an admin form's server action answers. */
export type FormState = ActionAnswer;
export const IDLE: FormState = { status: "idle" };

/** What a one-click admin action (with confirmation) answers. */
export type ActionResult = { ok: true; message?: string } | { ok: false; error: string };

/**
 * A field's problem in a form that answers with one message for all its fields, so the message names the
 * field: fieldError("Price", "Use at most six decimal places …") → "Price: use at most six decimal places …".
 */
export function fieldError(label: string, message: string): string {
  return `${label}: ${message.charAt(0).toLowerCase()}${message.slice(1)}`;
}

import type { ActionAnswer } from "@/components/ui/alert";

/** What an admin form's server action answers. */
export type FormState = ActionAnswer;
export const IDLE: FormState = { status: "idle" };

/** What a one-click admin action (with confirmation) answers. */
export type ActionResult = { ok: true; message?: string } | { ok: false; error: string };

/** What a subscription action answers the Plans page. */
export type ActionState = { status: "idle" } | { status: "error"; error: string } | { status: "ok"; message: string };
export const IDLE: ActionState = { status: "idle" };

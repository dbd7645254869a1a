import type { ActionAnswer } from "@/components/ui/alert";

/** What a subscription action answers the Plans page. */
export type ActionState = ActionAnswer;
export const IDLE: ActionState = { status: "idle" };

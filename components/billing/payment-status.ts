import type { BadgeTone } from "@/components/ui/badge";

type PaymentStatus = "PENDING" | "SUCCEEDED" | "FAILED" | "CANCELED" | "REFUNDED" | "DISPUTED";

/** A payment's status as people read it, in the portal and in the admin area alike. */
export const PAYMENT_STATUS: Record<PaymentStatus, { label: string; tone: BadgeTone }> = {
  PENDING: { label: "Pending", tone: "yellow" },
  SUCCEEDED: { label: "Paid", tone: "green" },
  FAILED: { label: "Failed", tone: "red" },
  CANCELED: { label: "Canceled", tone: "neutral" },
  REFUNDED: { label: "Refunded", tone: "purple" },
  DISPUTED: { label: "Disputed", tone: "red" },
};

// checkout.session.async_payment_failed: a delayed payment method (bank debit…) failed; nothing was
// credited, so the top-up is only marked failed.
import { closePendingCheckout } from "./close-pending-checkout";

export function checkoutSessionAsyncPaymentFailed(object: unknown) {
  return closePendingCheckout(object, { status: "FAILED", reason: "the payment did not go through" });
}

// checkout.session.expired: the customer left Stripe Checkout without paying and the session ran out
// (24 h by default). Nothing was credited; the top-up stops showing as pending.
import { closePendingCheckout } from "./close-pending-checkout";

export function checkoutSessionExpired(object: unknown) {
  return closePendingCheckout(object, { status: "CANCELED", reason: "the checkout expired before payment" });
}

import { linkClasses } from "@/components/ui/link-classes";

/** A payment's receipt (Stripe's hosted page), in a new tab. */
export function ReceiptLink({ href }: { href: string }) {
  return (
    <a href={href} target="_blank" rel="noreferrer" className={linkClasses}>
      Receipt<span className="sr-only"> (opens in a new tab)</span>
    </a>
  );
}

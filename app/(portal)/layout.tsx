import clsx from "clsx";
import Link from "next/link";
import type { ReactNode } from "react";
import { Logo } from "@/components/layout/logo";
import { PortalNav } from "@/components/layout/portal-nav";
import { SignOutButton } from "@/components/layout/sign-out-button";
import { requireUser } from "@/lib/auth/session";
import { getBalance } from "@/lib/billing/get-balance";
import { getBillingSettings } from "@/lib/payments/billing-settings";
import { displayUsd } from "@/lib/money";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const balance = await getBalance({ ctx: { userId: user.userId } }).catch((error: unknown) => {
    // The header must not take the whole portal down; the billing page shows the real error.
    console.error("[portal] could not read the balance", error);
    return null;
  });
  const settings = await getBillingSettings({ ctx: { userId: user.userId } }).catch(() => null);
  return (
    <div className="flex min-h-dvh flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:shadow dark:focus:bg-zinc-900"
      >
        Skip to content
      </a>
      <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
        {/* Narrower than lg the nav takes a row of its own and scrolls sideways inside itself, so the page never does. */}
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3 sm:px-6">
          <Logo href="/billing" />
          <PortalNav isAdmin={user.role === "ADMIN"} className="order-last -my-1 w-full lg:order-none lg:w-auto lg:min-w-0 lg:flex-1" />
          <div className="ml-auto flex items-center gap-2 sm:gap-3">
            {balance ? <BalancePill availableMicros={balance.availableMicros} low={settings?.lowBalance === true} /> : null}
            {/* The email is the sign-out button's tooltip: as text, with an admin's seven links and a large balance, it wraps the header even at 1536 px. */}
            <span className="sr-only">Signed in as {user.email}.</span>
            <SignOutButton email={user.email} />
          </div>
        </div>
      </header>
      {settings?.lowBalance || settings?.autoTopupNotice ? (
        <div role="status" className="border-b border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-800 dark:bg-amber-950/60 dark:text-amber-100">
          <p className="mx-auto max-w-6xl px-4 py-2 text-sm sm:px-6">
            {settings.lowBalance ? (
              <>
                <strong>Your balance is low.</strong> Requests are refused once it runs out.{" "}
              </>
            ) : null}
            {settings.autoTopupNotice ? <>{settings.autoTopupNotice} </> : null}
            <Link href="/billing" className="font-medium underline underline-offset-4">
              Go to Billing
            </Link>
          </p>
        </div>
      ) : null}
      <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-8 sm:px-6">
        {children}
      </main>
    </div>
  );
}

/** Under a cent nothing but the cheapest request goes through: the pill turns amber, as it does below the user's own alert threshold. */
const NEARLY_EMPTY_MICROS = 10_000n;

function BalancePill({ availableMicros, low }: { availableMicros: bigint; low: boolean }) {
  const warn = low || availableMicros < NEARLY_EMPTY_MICROS;
  return (
    <Link
      href="/billing"
      data-tone={warn ? "warning" : "ok"}
      className={clsx(
        "rounded-md px-2.5 py-1 text-sm font-medium whitespace-nowrap ring-1 ring-inset focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500",
        warn
          ? "bg-amber-50 text-amber-900 ring-amber-300 hover:bg-amber-100 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-800"
          : "bg-emerald-50 text-emerald-800 ring-emerald-200 hover:bg-emerald-100 dark:bg-emerald-950 dark:text-emerald-300 dark:ring-emerald-900",
      )}
    >
      <span className="sr-only">Available balance: </span>
      {/* The word is dropped on phones so the pill and Sign out share the logo's row. */}
      <span aria-hidden="true" className={clsx("hidden font-normal sm:inline", warn ? "text-amber-800 dark:text-amber-300" : "text-emerald-700 dark:text-emerald-400")}>
        Available{" "}
      </span>
      <span data-testid="header-balance">{displayUsd(availableMicros)}</span>
      {warn ? <span className="sr-only"> (low)</span> : null}
    </Link>
  );
}

"use client";

import clsx from "clsx";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef } from "react";

const LINKS = [
  { href: "/billing", label: "Billing" },
  { href: "/plans", label: "Plans" },
  { href: "/keys", label: "API keys" },
  { href: "/usage", label: "Usage" },
  { href: "/tasks", label: "Tasks" },
  { href: "/getting-started", label: "Getting started" },
] as const;

/**
 * `isAdmin` only shows the link; every admin page checks the role on the server.
 * On narrow screens the links scroll sideways inside the nav (never the page); `className` places it in the header.
 */
export function PortalNav({ isAdmin = false, className }: { isAdmin?: boolean; className?: string }) {
  const pathname = usePathname();
  const navRef = useRef<HTMLElement>(null);
  const links = isAdmin ? [...LINKS, { href: "/admin", label: "Admin" }] : LINKS;

  // A current link scrolled out of a narrow nav is brought into view; only the nav scrolls, not the page.
  useEffect(() => {
    const nav = navRef.current;
    const current = nav?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!nav || !current || nav.scrollWidth <= nav.clientWidth) return;
    const left = current.offsetLeft; // the nav is the links' offset parent
    if (left < nav.scrollLeft || left + current.offsetWidth > nav.scrollLeft + nav.clientWidth) {
      nav.scrollLeft = left - (nav.clientWidth - current.offsetWidth) / 2;
    }
  }, [pathname]);

  return (
    <nav
      ref={navRef}
      aria-label="Main"
      // Narrow, the right edge fades so links past it read as "scroll for more"; the list's end padding
      // lets the last link scroll clear of the fade.
      className={clsx("relative overflow-x-auto max-lg:[mask-image:linear-gradient(to_right,black_calc(100%_-_1.5rem),transparent)]", className)}
    >
      {/* p-1 keeps the links' focus rings inside the scrolling box, which would clip them. */}
      <ul className="flex w-max items-center gap-1 p-1 max-lg:pr-8">
        {links.map((link) => {
          const active = pathname === link.href || pathname.startsWith(`${link.href}/`);
          return (
            <li key={link.href} className="shrink-0">
              <Link
                href={link.href}
                aria-current={active ? "page" : undefined}
                // Chrome leaves a half-hidden link half-hidden on Tab; keep the focused one wholly in view (and out of the fade).
                onFocus={(event) => event.currentTarget.scrollIntoView({ block: "nearest", inline: "nearest" })}
                className={clsx(
                  "block scroll-mx-1 rounded-md max-lg:scroll-mr-8 px-3 py-2 text-sm font-medium whitespace-nowrap transition-colors",
                  "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500",
                  active
                    ? "bg-zinc-100 text-zinc-900 dark:bg-zinc-800 dark:text-white"
                    : "text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-white",
                )}
              >
                {link.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

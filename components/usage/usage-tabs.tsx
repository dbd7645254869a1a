import clsx from "clsx";
import Link from "next/link";

const TABS = [
  { href: "/usage", label: "Dashboard" },
  { href: "/usage/requests", label: "Request log" },
] as const;

/** Dashboard | Request log, as a small second-level navigation. */
export function UsageTabs({ current }: { current: "/usage" | "/usage/requests" }) {
  return (
    <nav aria-label="Usage" className="mb-6 border-b border-zinc-200 dark:border-zinc-800">
      <ul className="-mb-px flex gap-4">
        {TABS.map((tab) => (
          <li key={tab.href}>
            <Link
              href={tab.href}
              aria-current={tab.href === current ? "page" : undefined}
              className={clsx(
                "inline-block border-b-2 px-1 pb-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-indigo-500",
                tab.href === current
                  ? "border-indigo-600 text-zinc-900 dark:border-indigo-400 dark:text-white"
                  : "border-transparent text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white",
              )}
            >
              {tab.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

import clsx from "clsx";
import type { HTMLAttributes, ReactNode, TdHTMLAttributes, ThHTMLAttributes } from "react";

/**
 * `dense` pads cells 0.75rem sideways instead of 1rem, for a table with many columns that must fit its card at
 * 1280 px (set on the wrapper as a descendant rule, so it wins over TH's and TD's own padding without `!`).
 */
export function Table({
  children,
  caption,
  className,
  dense = false,
  stack = false,
}: {
  children: ReactNode;
  caption?: string;
  className?: string;
  dense?: boolean;
  /**
   * Below the lg breakpoint (1024 px), each row is a small card of its own: one cell a line, named by the TD's `label`
   * (app/globals.css, `.table-stack`). For a table whose columns cannot fit a phone: sideways scrolling inside
   * a card has no visible hint, and hides the row's actions at its far end.
   */
  stack?: boolean;
}) {
  return (
    <div className={clsx("relative overflow-x-auto", dense && "[&_td]:px-3 [&_th]:px-3", stack && "table-stack", className)}>
      <table className="w-full border-collapse text-left text-sm">
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        {children}
      </table>
    </div>
  );
}

export function THead({ children }: { children: ReactNode }) {
  return (
    <thead className="border-b border-zinc-200 bg-zinc-50 text-xs font-medium tracking-wide text-zinc-600 uppercase dark:border-zinc-800 dark:bg-zinc-900/60 dark:text-zinc-400">
      {children}
    </thead>
  );
}

export function TBody({ children }: { children: ReactNode }) {
  return <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">{children}</tbody>;
}

export function TR({ className, ...props }: HTMLAttributes<HTMLTableRowElement>) {
  return <tr className={clsx("align-middle", className)} {...props} />;
}

/**
 * Headers and cells keep to one line unless the className brings its own `whitespace-…` (e.g. `whitespace-normal`
 * for a date or a note, so a wide table fits its card): both would be single utilities of equal weight, and the
 * stylesheet puts `whitespace-nowrap` last, so the caller's would silently lose.
 */
export function TH({ className, ...props }: ThHTMLAttributes<HTMLTableCellElement>) {
  const ownWhitespace = /(?:^|\s)whitespace-/.test(className ?? "");
  return <th scope="col" className={clsx("px-4 py-2.5 font-medium", !ownWhitespace && "whitespace-nowrap", className)} {...props} />;
}

/** `label`: the column's name, shown beside the cell when a `stack` table stacks its rows on a narrow screen. */
export function TD({ className, label, ...props }: TdHTMLAttributes<HTMLTableCellElement> & { label?: string }) {
  const ownWhitespace = /(?:^|\s)whitespace-/.test(className ?? "");
  return <td className={clsx("px-4 py-3", !ownWhitespace && "whitespace-nowrap", className)} data-label={label} {...props} />;
}

import clsx from "clsx";
import type { ReactNode } from "react";
import { Badge } from "@/components/ui/badge";
import { displayUsd } from "@/lib/money";
import type { PublicPlan } from "@/lib/plans/list-plans";
import { coverageText, per } from "./format";

const integer = new Intl.NumberFormat("en-US");

/** A column of the comparison: a name, a price, what is included, and an action at the bottom. */
export function CompareCard({
  title,
  price,
  priceNote,
  badge,
  highlight = false,
  children,
  action,
  testId,
}: {
  title: string;
  price: string;
  priceNote?: string;
  badge?: ReactNode;
  highlight?: boolean;
  children: ReactNode;
  action?: ReactNode;
  testId?: string;
}) {
  const id = `compare-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <section
      aria-labelledby={id}
      data-testid={testId}
      className={clsx(
        "flex flex-col rounded-xl border bg-white p-5 shadow-sm dark:bg-zinc-900",
        highlight ? "border-indigo-500 ring-1 ring-indigo-500 dark:border-indigo-400 dark:ring-indigo-400" : "border-zinc-200 dark:border-zinc-800",
      )}
    >
      <div className="flex items-start justify-between gap-2">
        <h3 id={id} className="text-base font-semibold">
          {title}
        </h3>
        {badge}
      </div>
      <p className="mt-2">
        <span className="text-3xl font-semibold tracking-tight tabular-nums">{price}</span>
        {priceNote ? <span className="ml-1 text-sm text-zinc-600 dark:text-zinc-400">{priceNote}</span> : null}
      </p>
      <div className="mt-4 flex-1 text-sm">{children}</div>
      {action ? <div className="mt-5">{action}</div> : null}
    </section>
  );
}

export function FeatureList({ items }: { items: ReactNode[] }) {
  return (
    <ul className="space-y-2">
      {items.map((item, i) => (
        <li key={i} className="flex gap-2">
          <svg aria-hidden="true" viewBox="0 0 20 20" className="mt-0.5 size-4 shrink-0 fill-emerald-600 dark:fill-emerald-400">
            <path d="M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.6l7.3-7.3a1 1 0 0 1 1.4 0Z" />
          </svg>
          <span>{item}</span>
        </li>
      ))}
    </ul>
  );
}

/** What a plan includes, in words. */
export function planFeatures(plan: PublicPlan, modelNames: Map<string, string>): ReactNode[] {
  const items: ReactNode[] = [
    <>
      <strong className="font-medium">{displayUsd(plan.allowanceMicros)}</strong> of usage included each {per(plan.interval)}, at list prices
    </>,
  ];
  if (plan.imageAllowance !== null) items.push(<>{integer.format(plan.imageAllowance)} images included</>);
  if (plan.taskAllowance !== null) items.push(<>{integer.format(plan.taskAllowance)} video or music tasks included</>);
  items.push(<>Covers: {coverageText(plan.modelIds, modelNames)}</>);
  items.push(
    plan.overageToBalance ? (
      <>Past the allowance, requests are paid from your prepaid balance (you can turn this off)</>
    ) : (
      <>Past the allowance, requests are refused; your balance is never charged</>
    ),
  );
  return items;
}

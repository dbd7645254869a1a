import clsx from "clsx";
import type { AllowanceView } from "@/lib/billing/subscriptions/list-subscriptions";
import { amountText, coverageText, remainingText, withModelTypes } from "./format";

const integer = new Intl.NumberFormat("en-US");

/**
 * What is left of one allowance this period, as an accessible meter (role="meter" with its value, range
 * and the same words the eye reads: "$3.20 of $10.00 left"). An unlimited allowance has no meter, only
 * its usage and rate limit.
 */
export function AllowanceMeter({
  allowance,
  modelNames,
  modelTypes,
}: {
  allowance: AllowanceView;
  modelNames: Map<string, string>;
  /** Model id → type, so a line naming image models counts "images". */
  modelTypes?: Map<string, string>;
}) {
  const a = withModelTypes(allowance, modelTypes);
  const id = `allowance-${a.id}`;
  const text = remainingText(a);
  const limited = a.limit !== null && a.remaining !== null;
  const share = limited && a.limit! > 0n ? Number((a.remaining! * 1000n) / a.limit!) / 10 : 0;
  return (
    <div className="space-y-1.5" data-testid="allowance" data-allowance-label={a.label}>
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-0.5 text-sm">
        <p id={`${id}-label`} className="font-medium">
          {a.label}
          <span className="ml-2 font-normal text-zinc-600 dark:text-zinc-400">{coverageText(allowance.modelIds, modelNames, allowance.modelTypes)}</span>
        </p>
        <p className="font-medium tabular-nums" data-testid="allowance-remaining">
          {text}
        </p>
      </div>
      {limited ? (
        <div
          role="meter"
          aria-labelledby={`${id}-label`}
          aria-valuemin={0}
          aria-valuemax={Number(a.limit)}
          aria-valuenow={Number(a.remaining)}
          aria-valuetext={text}
          className="h-2.5 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
        >
          <div
            className={clsx(
              "h-full rounded-full transition-[width]",
              share <= 0 ? "bg-red-500" : share < 10 ? "bg-amber-500" : "bg-indigo-600 dark:bg-indigo-400",
            )}
            style={{ width: `${Math.min(100, Math.max(0, share))}%` }}
          />
        </div>
      ) : null}
      <p className="text-xs text-zinc-600 dark:text-zinc-400">
        {amountText(a, a.used)} used this period
        {a.reserved > 0n ? ` · ${amountText(a, a.reserved)} held for running requests` : ""}
        {a.ratePerMinute !== null ? ` · up to ${integer.format(a.ratePerMinute)} requests a minute` : ""}
      </p>
    </div>
  );
}

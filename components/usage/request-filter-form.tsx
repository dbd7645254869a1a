import Link from "next/link";
import clsx from "clsx";
import { Button } from "@/components/ui/button";
import { Input, Label, inputClasses } from "@/components/ui/input";
import { linkClasses } from "@/components/ui/link-classes";
import type { FilterParams, FilterProblem } from "@/lib/usage/filter-params";
import { problemProps } from "./filter-problems";

const STATUSES = [
  { value: "SUCCEEDED", label: "Succeeded" },
  { value: "PARTIAL", label: "Partial" },
  { value: "FAILED", label: "Failed" },
] as const;
const PAYERS = [
  { value: "BALANCE", label: "Balance" },
  { value: "SUBSCRIPTION", label: "Subscription" },
  { value: "MIXED", label: "Mixed" },
] as const;

/** A select's value as the URL gave it: one of its options (in any case), or the unknown value itself, shown as such. */
function choice(value: string | undefined, options: ReadonlyArray<{ value: string }>) {
  if (!value) return { value: "", unknown: false };
  const known = options.find((o) => o.value === value.toUpperCase());
  return known ? { value: known.value, unknown: false } : { value, unknown: true };
}

/**
 * The request log's filters (all in the URL). `values` are the parameters as the URL gave them, so a filter
 * that cannot be applied stays in the form, marked, rather than silently becoming "All".
 */
export function RequestFilterForm({
  values,
  keys,
  models,
  problems,
  problemsId,
}: {
  values: FilterParams;
  keys: ReadonlyArray<{ id: string; name: string; prefix: string; revokedAt: Date | null }>;
  models: ReadonlyArray<{ id: string }>;
  problems: FilterProblem[];
  problemsId: string;
}) {
  const select = clsx(inputClasses, "mt-1 w-48");
  const status = choice(values.status, STATUSES);
  const paidBy = choice(values.paid_by, PAYERS);
  const filtered = Object.values(values).some(Boolean);
  const unknownKey = values.key && !keys.some((k) => k.id === values.key) ? values.key : null;
  const unknownModel = values.model && !models.some((m) => m.id === values.model) ? values.model : null;

  return (
    <form method="get" action="/usage/requests" className="mb-6 flex flex-wrap items-end gap-3" aria-label="Filter requests">
      <div>
        <Label htmlFor="filter-key">Key</Label>
        <select id="filter-key" name="key" defaultValue={values.key ?? ""} className={select} {...problemProps(problems, "key", problemsId)}>
          <option value="">All keys</option>
          {keys.map((k) => (
            <option key={k.id} value={k.id}>
              {k.name} ({k.prefix}…){k.revokedAt ? " — revoked" : ""}
            </option>
          ))}
          {unknownKey ? <option value={unknownKey}>Not one of your keys ({unknownKey.slice(0, 40)})</option> : null}
        </select>
      </div>
      <div>
        <Label htmlFor="filter-model">Model</Label>
        <select id="filter-model" name="model" defaultValue={values.model ?? ""} className={select} {...problemProps(problems, "model", problemsId)}>
          <option value="">All models</option>
          {models.map((m) => (
            <option key={m.id} value={m.id}>
              {m.id}
            </option>
          ))}
          {unknownModel ? <option value={unknownModel}>{unknownModel.slice(0, 60)}</option> : null}
        </select>
      </div>
      <div>
        <Label htmlFor="filter-status">Status</Label>
        <select id="filter-status" name="status" defaultValue={status.value} className={clsx(inputClasses, "mt-1 w-36")} {...problemProps(problems, "status", problemsId)}>
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
          {status.unknown ? <option value={status.value}>{status.value.slice(0, 40)}</option> : null}
        </select>
      </div>
      <div>
        <Label htmlFor="filter-paid-by">Paid by</Label>
        <select id="filter-paid-by" name="paid_by" defaultValue={paidBy.value} className={clsx(inputClasses, "mt-1 w-40")} {...problemProps(problems, "paid_by", problemsId)}>
          <option value="">Anyone</option>
          {PAYERS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
          {paidBy.unknown ? <option value={paidBy.value}>{paidBy.value.slice(0, 40)}</option> : null}
        </select>
      </div>
      <div>
        <Label htmlFor="filter-from">From</Label>
        <Input id="filter-from" name="from" type="date" defaultValue={values.from} className="mt-1 w-40" {...problemProps(problems, "from", problemsId)} />
      </div>
      <div>
        <Label htmlFor="filter-to">To</Label>
        <Input id="filter-to" name="to" type="date" defaultValue={values.to} className="mt-1 w-40" {...problemProps(problems, "to", problemsId)} />
      </div>
      <Button type="submit">Apply filters</Button>
      {filtered ? (
        <Link href="/usage/requests" className={clsx(linkClasses, "self-center text-sm")}>
          Clear filters
        </Link>
      ) : null}
    </form>
  );
}

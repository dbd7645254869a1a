import { Button } from "@/components/ui/button";
import { Input, Label } from "@/components/ui/input";
import type { FilterProblem } from "@/lib/usage/filter-params";
import { problemProps } from "./filter-problems";

/**
 * The dashboard's custom date range (whole UTC days, both included). It shows the dates as they were asked
 * for, even when they cannot be drawn, so the person can correct them rather than find them replaced.
 */
export function RangeForm({
  from,
  to,
  bucket,
  problems,
  problemsId,
}: {
  from?: string;
  to?: string;
  bucket?: "hour" | "day";
  problems: FilterProblem[];
  problemsId: string;
}) {
  return (
    <form method="get" action="/usage" className="flex flex-wrap items-end gap-2" aria-label="Custom date range">
      <div>
        <Label htmlFor="range-from">From</Label>
        <Input id="range-from" name="from" type="date" defaultValue={from} className="mt-1 w-40" required {...problemProps(problems, "from", problemsId)} />
      </div>
      <div>
        <Label htmlFor="range-to">To</Label>
        <Input id="range-to" name="to" type="date" defaultValue={to} className="mt-1 w-40" required {...problemProps(problems, "to", problemsId)} />
      </div>
      {bucket ? <input type="hidden" name="bucket" value={bucket} /> : null}
      <Button type="submit" variant="secondary">
        Show
      </Button>
    </form>
  );
}

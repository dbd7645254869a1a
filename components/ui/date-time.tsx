import { format } from "date-fns";

/**
 * A timestamp for tables: "Mar 4, 2026, 14:05" (server time), with the exact instant in the title. `stacked`
 * puts the time under the date ("Mar 4, 2026" over "14:05"), for a table that must fit a narrow card.
 */
export function DateTime({ value, withTime = true, stacked = false }: { value: Date; withTime?: boolean; stacked?: boolean }) {
  const iso = value.toISOString();
  if (stacked && withTime) {
    return (
      <time dateTime={iso} title={iso}>
        {format(value, "MMM d, yyyy")}
        <span className="block text-xs tabular-nums">{format(value, "HH:mm")}</span>
      </time>
    );
  }
  return (
    <time dateTime={iso} title={iso}>
      {format(value, withTime ? "MMM d, yyyy, HH:mm" : "MMM d, yyyy")}
    </time>
  );
}

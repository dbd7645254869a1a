import { format } from "date-fns";

/** A timestamp for tables: "Mar 4, 2026, 14:05" (server time), with the exact instant in the title. */
export function DateTime({ value, withTime = true }: { value: Date; withTime?: boolean }) {
  const iso = value.toISOString();
  return (
    <time dateTime={iso} title={iso}>
      {format(value, withTime ? "MMM d, yyyy, HH:mm" : "MMM d, yyyy")}
    </time>
  );
}

import clsx from "clsx";
import type { ReactNode } from "react";
import { Card, CardHeader } from "./card";
import { Table, TBody, TH, THead, TR } from "./table";

export type TableCardColumn = string | { label: ReactNode; align?: "right"; srOnly?: boolean; className?: string };

/** A card with a heading over a table of rows, or over its empty state when there are none. */
export function TableCard({
  id,
  title,
  description,
  action,
  className,
  caption,
  columns,
  empty,
  children,
}: {
  /** The heading's id; the card is labelled by it. */
  id: string;
  title: ReactNode;
  description?: ReactNode;
  action?: ReactNode;
  className?: string;
  /** The table's caption, for screen readers only. */
  caption: string;
  columns: readonly TableCardColumn[];
  /** Shown instead of the table when truthy (e.g. `rows.length === 0 && <EmptyState … />`). */
  empty?: ReactNode;
  /** The body rows. */
  children?: ReactNode;
}) {
  return (
    <Card className={className} aria-labelledby={id}>
      <CardHeader id={id} title={title} description={description} action={action} />
      {empty ? (
        empty
      ) : (
        <Table caption={caption}>
          <THead>
            <TR>
              {columns.map((column, i) => {
                const { label, align, srOnly, className: thClass }: Exclude<TableCardColumn, string> = typeof column === "string" ? { label: column } : column;
                return (
                  <TH key={i} className={clsx(align === "right" && "text-right", thClass) || undefined}>
                    {srOnly ? <span className="sr-only">{label}</span> : label}
                  </TH>
                );
              })}
            </TR>
          </THead>
          <TBody>{children}</TBody>
        </Table>
      )}
    </Card>
  );
}

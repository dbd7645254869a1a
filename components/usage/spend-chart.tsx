"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { displayUsd } from "@/lib/money";

export interface SpendPoint {
  label: string;
  /** Exact cost, as a decimal string of micros (BigInt does not cross to the browser). */
  costMicros: string;
  requests: number;
}

/** Micros as a JS number: for bar heights only. Every label goes back through displayUsd. */
const microsLabel = (value: number) => displayUsd(BigInt(Math.round(value)));

export function SpendChart({ points }: { points: SpendPoint[] }) {
  const data = points.map((p) => ({ ...p, height: Number(p.costMicros) }));
  return (
    <div className="h-56 w-full" role="img" aria-label="Bar chart of spend over the selected period">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
          <XAxis dataKey="label" tickLine={false} axisLine={false} tick={{ fill: "var(--chart-text)", fontSize: 12 }} minTickGap={16} />
          <YAxis
            tickLine={false}
            axisLine={false}
            width={64}
            allowDecimals={false}
            tick={{ fill: "var(--chart-text)", fontSize: 12 }}
            tickFormatter={microsLabel}
          />
          <Tooltip
            cursor={{ fill: "var(--chart-grid)", opacity: 0.5 }}
            content={({ active, payload }) => {
              const point = active ? (payload?.[0]?.payload as (SpendPoint & { height: number }) | undefined) : undefined;
              if (!point) return null;
              return (
                <div className="rounded-lg border border-zinc-200 bg-white px-3 py-2 text-sm shadow-md dark:border-zinc-700 dark:bg-zinc-900">
                  <p className="font-medium">{point.label}</p>
                  <p className="tabular-nums">{displayUsd(BigInt(point.costMicros))}</p>
                  <p className="text-xs text-zinc-600 dark:text-zinc-400">
                    {point.requests} request{point.requests === 1 ? "" : "s"}
                  </p>
                </div>
              );
            }}
          />
          <Bar dataKey="height" fill="var(--chart-bar)" radius={[4, 4, 0, 0]} maxBarSize={40} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

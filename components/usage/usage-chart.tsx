"use client";

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { displayUsd } from "@/lib/money";
import { TYPE_LABELS } from "./labels";

/** Money crosses to the browser as decimal strings of micros; numbers only for bar heights. */
export interface UsagePoint {
  label: string;
  requests: number;
  costMicros: string;
  byType: Record<string, string>;
}

export const TYPE_COLORS: Record<string, string> = {
  CHAT: "var(--color-indigo-500)",
  EMBEDDING: "var(--color-emerald-500)",
  IMAGE: "var(--color-amber-500)",
  VIDEO: "var(--color-rose-500)",
  MUSIC: "var(--color-sky-500)",
};

const microsLabel = (value: number) => displayUsd(BigInt(Math.round(value)));

/** Spend per bucket, stacked by model type, with the request count in the tooltip. */
export function UsageChart({ points, types, summary }: { points: UsagePoint[]; types: string[]; summary: string }) {
  const data = points.map((p) => ({ ...p, ...Object.fromEntries(types.map((t) => [t, Number(p.byType[t] ?? "0")])) }));
  return (
    <figure className="h-64 w-full">
      <figcaption className="sr-only">{summary}</figcaption>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 8 }} accessibilityLayer>
          <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
          <XAxis dataKey="label" tickLine={false} axisLine={false} tick={{ fill: "var(--chart-text)", fontSize: 12 }} minTickGap={16} />
          <YAxis tickLine={false} axisLine={false} width={72} allowDecimals={false} tick={{ fill: "var(--chart-text)", fontSize: 12 }} tickFormatter={microsLabel} />
          <Tooltip
            cursor={{ fill: "var(--chart-grid)", opacity: 0.5 }}
            content={({ active, payload }) => {
              const point = active ? (payload?.[0]?.payload as UsagePoint | undefined) : undefined;
              if (!point) return null;
              return (
                <div className="rounded-lg border border-zinc-200 bg-white px-3 py-2 text-sm shadow-md dark:border-zinc-700 dark:bg-zinc-900">
                  <p className="font-medium">{point.label}</p>
                  <p className="tabular-nums">{displayUsd(BigInt(point.costMicros))}</p>
                  {types.map((t) =>
                    point.byType[t] ? (
                      <p key={t} className="text-xs tabular-nums">
                        {TYPE_LABELS[t] ?? t}: {displayUsd(BigInt(point.byType[t]!))}
                      </p>
                    ) : null,
                  )}
                  <p className="text-xs text-zinc-600 dark:text-zinc-400">
                    {point.requests} request{point.requests === 1 ? "" : "s"}
                  </p>
                </div>
              );
            }}
          />
          {types.length > 1 ? <Legend formatter={(value: string) => <span className="text-xs text-zinc-700 dark:text-zinc-300">{TYPE_LABELS[value] ?? value}</span>} /> : null}
          {types.map((t, i) => (
            <Bar key={t} dataKey={t} stackId="spend" fill={TYPE_COLORS[t] ?? "var(--chart-bar)"} radius={i === types.length - 1 ? [4, 4, 0, 0] : 0} maxBarSize={40} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** Requests per bucket. */
export function RequestsChart({ points, summary }: { points: UsagePoint[]; summary: string }) {
  return (
    <figure className="h-48 w-full">
      <figcaption className="sr-only">{summary}</figcaption>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
          <XAxis dataKey="label" tickLine={false} axisLine={false} tick={{ fill: "var(--chart-text)", fontSize: 12 }} minTickGap={16} />
          <YAxis tickLine={false} axisLine={false} width={56} allowDecimals={false} tick={{ fill: "var(--chart-text)", fontSize: 12 }} />
          <Tooltip
            cursor={{ fill: "var(--chart-grid)", opacity: 0.5 }}
            content={({ active, payload }) => {
              const point = active ? (payload?.[0]?.payload as UsagePoint | undefined) : undefined;
              if (!point) return null;
              return (
                <div className="rounded-lg border border-zinc-200 bg-white px-3 py-2 text-sm shadow-md dark:border-zinc-700 dark:bg-zinc-900">
                  <p className="font-medium">{point.label}</p>
                  <p className="tabular-nums">
                    {point.requests} request{point.requests === 1 ? "" : "s"}
                  </p>
                </div>
              );
            }}
          />
          <Bar dataKey="requests" name="Requests" fill="var(--chart-bar)" radius={[4, 4, 0, 0]} maxBarSize={40} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

export interface BalancePointView {
  label: string;
  balanceMicros: string;
}

/** The balance at the end of each bucket. */
export function BalanceChart({ points, summary }: { points: BalancePointView[]; summary: string }) {
  const data = points.map((p) => ({ ...p, value: Number(p.balanceMicros) }));
  return (
    <figure className="h-48 w-full">
      <figcaption className="sr-only">{summary}</figcaption>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
          <XAxis dataKey="label" tickLine={false} axisLine={false} tick={{ fill: "var(--chart-text)", fontSize: 12 }} minTickGap={16} />
          <YAxis tickLine={false} axisLine={false} width={72} allowDecimals={false} tick={{ fill: "var(--chart-text)", fontSize: 12 }} tickFormatter={microsLabel} />
          <Tooltip
            content={({ active, payload }) => {
              const point = active ? (payload?.[0]?.payload as BalancePointView | undefined) : undefined;
              if (!point) return null;
              return (
                <div className="rounded-lg border border-zinc-200 bg-white px-3 py-2 text-sm shadow-md dark:border-zinc-700 dark:bg-zinc-900">
                  <p className="font-medium">{point.label}</p>
                  <p className="tabular-nums">{displayUsd(BigInt(point.balanceMicros))}</p>
                </div>
              );
            }}
          />
          <Line type="stepAfter" dataKey="value" stroke="var(--color-emerald-500)" strokeWidth={2} dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

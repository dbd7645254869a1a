"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState } from "react";
import { displayUsd } from "@/lib/money";

interface RequestItem {
  id: string;
  request_id: string;
  created_at: string;
  model: string;
  status: string;
  input_tokens: number;
  output_tokens: number;
  cost_micros: number;
}

const time = new Intl.DateTimeFormat("en-US", { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZone: "UTC" });

/**
 * A usage line of one key, expandable to its requests (fetched when first opened): those of the key from
 * `from` (its first request) up to `to` (exclusive: just after its last).
 */
export function UsageGroupRequests({ keyId, from, to, count }: { keyId: string; from: string; to: string; count: number }) {
  const [open, setOpen] = useState(false);
  const regionId = useId();
  const query = new URLSearchParams({ key: keyId, from_ts: from, to_ts: to, limit: "50" }).toString();
  const { data, error, isPending } = useQuery({
    queryKey: ["usage-requests", query],
    enabled: open,
    queryFn: async () => {
      const res = await fetch(`/api/usage/requests?${query}`);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return (await res.json()) as { items: RequestItem[]; next_cursor: string | null };
    },
  });
  const day = from.slice(0, 10);

  return (
    <div>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={regionId}
        onClick={() => setOpen((o) => !o)}
        className="text-sm font-medium text-indigo-700 underline-offset-4 hover:underline focus-visible:rounded-sm focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-400"
      >
        {open ? "Hide" : "Show"} {count} request{count === 1 ? "" : "s"}
      </button>
      {open ? (
        <div id={regionId} className="mt-2 rounded-lg border border-zinc-200 text-xs dark:border-zinc-800">
          {isPending ? (
            <p role="status" className="px-3 py-2 text-zinc-600 dark:text-zinc-400">
              Loading requests…
            </p>
          ) : error ? (
            <p role="alert" className="px-3 py-2 text-red-700 dark:text-red-400">
              Couldn&apos;t load the requests. Please try again.
            </p>
          ) : (
            <ul className="divide-y divide-zinc-200 dark:divide-zinc-800">
              {data.items.map((r) => (
                <li key={r.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-3 py-1.5">
                  <Link href={`/usage/requests/${r.id}`} className="font-mono text-indigo-700 hover:underline dark:text-indigo-400">
                    {time.format(new Date(r.created_at))}
                  </Link>
                  <span className="font-mono">{r.model}</span>
                  <span className="tabular-nums">
                    {r.input_tokens} / {r.output_tokens} tokens
                  </span>
                  <span className="ml-auto tabular-nums">{displayUsd(-BigInt(r.cost_micros))}</span>
                </li>
              ))}
              {data.next_cursor ? (
                <li className="px-3 py-1.5">
                  <Link href={`/usage/requests?key=${keyId}&from=${day}&to=${day}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-400">
                    All {count} requests in the request log →
                  </Link>
                </li>
              ) : null}
            </ul>
          )}
        </div>
      ) : null}
    </div>
  );
}

"use client";

import { useEffect } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardBody } from "@/components/ui/card";

/** The body of every portal error.tsx: a friendly sentence and a retry, never a stack trace. */
export function PageError({ error, retry, what }: { error: unknown; retry: () => void; what: string }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = error instanceof Error && "digest" in error && typeof error.digest === "string" ? error.digest : null;
  return (
    <Card role="alert" className="mx-auto max-w-xl">
      <CardBody className="space-y-3 py-8 text-center">
        <h1 className="text-lg font-semibold">We couldn&apos;t load {what}</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Something went wrong on our side. Please try again in a moment.
          {digest ? <span className="mt-1 block text-xs">Reference: {digest}</span> : null}
        </p>
        <Button variant="secondary" onClick={() => retry()}>
          Try again
        </Button>
      </CardBody>
    </Card>
  );
}

import clsx from "clsx";
import type { ReactNode } from "react";

export type AlertTone = "info" | "success" | "warning" | "error";

const tones: Record<AlertTone, string> = {
  info: "border-sky-300 bg-sky-50 text-sky-900 dark:border-sky-800 dark:bg-sky-950/60 dark:text-sky-100",
  success: "border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950/60 dark:text-emerald-100",
  warning: "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-700 dark:bg-amber-950/60 dark:text-amber-100",
  error: "border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950/60 dark:text-red-100",
};

export function Alert({ tone = "info", title, children, role, className }: { tone?: AlertTone; title?: ReactNode; children?: ReactNode; role?: "alert" | "status"; className?: string }) {
  return (
    <div role={role} className={clsx("rounded-lg border px-4 py-3 text-sm", tones[tone], className)}>
      {title ? <p className="font-semibold">{title}</p> : null}
      {children ? <div className={clsx(title && "mt-1")}>{children}</div> : null}
    </div>
  );
}

/** What a form's server action answered: nothing yet, an error in words, or what was done. */
export type ActionAnswer = { status: "idle" } | { status: "error"; error: string } | { status: "ok"; message: string };

/** The answer to a form, in a live region: an error is announced as an alert, what was done as a status. */
export function AnswerAlert({ answer }: { answer: ActionAnswer }) {
  return (
    <div aria-live="polite">
      {answer.status === "error" ? (
        <Alert tone="error" role="alert">
          {answer.error}
        </Alert>
      ) : answer.status === "ok" ? (
        <Alert tone="success" role="status">
          {answer.message}
        </Alert>
      ) : null}
    </div>
  );
}

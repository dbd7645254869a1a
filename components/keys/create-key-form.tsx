"use client";

import clsx from "clsx";
import { useRef, useState, useTransition } from "react";
import { createKeyAction, type CreateKeyResult, type KeyField } from "@/app/(portal)/keys/actions";
import { Alert } from "@/components/ui/alert";
import { FieldError, FieldHint, Input, Label, describedBy, inputClasses } from "@/components/ui/input";
import { Button } from "@/components/ui/button";
import { KeyReveal } from "./key-reveal";

/** The choices for a spend limit's reset period (UTC calendar periods). */
export const LIMIT_PERIODS = [
  { value: "NONE", label: "Never (lifetime limit)" },
  { value: "DAILY", label: "Every day" },
  { value: "WEEKLY", label: "Every week (Monday)" },
  { value: "MONTHLY", label: "Every month" },
] as const;

export interface ModelChoice {
  id: string;
  displayName: string;
}

const ENVIRONMENTS = [
  { value: "DEVELOPMENT", label: "Development", hint: "For testing and local work." },
  { value: "PRODUCTION", label: "Production", hint: "For live apps." },
] as const;

export function CreateKeyForm({ models, today }: { models: ModelChoice[]; today: string }) {
  const formRef = useRef<HTMLFormElement>(null);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<KeyField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ key: string; name: string } | null>(null);
  const [pending, startTransition] = useTransition();

  async function submit(formData: FormData) {
    const name = String(formData.get("name") ?? "").trim();
    if (!name) {
      setFieldErrors({ name: "Give the key a name." });
      setFormError(null);
      return;
    }
    let result: CreateKeyResult;
    try {
      result = await createKeyAction(formData);
    } catch (error) {
      console.error(error);
      result = { status: "error", fieldErrors: {}, formError: "Something went wrong. Please try again." };
    }
    if (result.status === "created") {
      setFieldErrors({});
      setFormError(null);
      setCreated({ key: result.key, name: result.name });
      formRef.current?.reset();
    } else {
      setFieldErrors(result.fieldErrors);
      setFormError(result.formError ?? null);
    }
  }

  const invalid = (field: KeyField) => (fieldErrors[field] ? true : undefined);

  return (
    <div className="space-y-5">
      {created ? <KeyReveal name={created.name} secret={created.key} onDone={() => setCreated(null)} /> : null}
      {/* onSubmit rather than <form action>: React resets a form after an action, which would wipe a failed attempt. */}
      <form
        ref={formRef}
        noValidate
        className="space-y-5"
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          startTransition(() => submit(data));
        }}
      >
        {formError ? (
          <Alert tone="error" role="alert">
            {formError}
          </Alert>
        ) : null}
        <div className="grid gap-5 md:grid-cols-2">
          <div>
            <Label htmlFor="key-name">Name</Label>
            <Input
              id="key-name"
              name="name"
              required
              maxLength={80}
              placeholder="e.g. My chatbot"
              className="mt-1"
              aria-invalid={invalid("name")}
              aria-describedby={describedBy(fieldErrors.name && "key-name-error")}
            />
            <FieldError id="key-name-error">{fieldErrors.name}</FieldError>
          </div>

          <fieldset aria-describedby={describedBy(fieldErrors.environment && "environment-error")}>
            <legend className="text-sm font-medium text-zinc-800 dark:text-zinc-200">Environment</legend>
            <div className="mt-2 grid gap-2 sm:grid-cols-2">
              {ENVIRONMENTS.map((env, index) => (
                <label
                  key={env.value}
                  className={clsx(
                    "flex cursor-pointer items-start gap-3 rounded-lg border border-zinc-300 p-3 text-sm dark:border-zinc-700",
                    "has-checked:border-indigo-600 has-checked:bg-indigo-50 dark:has-checked:border-indigo-400 dark:has-checked:bg-indigo-950/60",
                    "has-focus-visible:outline-2 has-focus-visible:outline-offset-2 has-focus-visible:outline-indigo-500",
                  )}
                >
                  <input type="radio" name="environment" value={env.value} defaultChecked={index === 0} className="mt-0.5 accent-indigo-600" />
                  <span>
                    <span className="block font-medium">{env.label}</span>
                    <span className="block text-xs text-zinc-600 dark:text-zinc-400">{env.hint}</span>
                  </span>
                </label>
              ))}
            </div>
            <FieldError id="environment-error">{fieldErrors.environment}</FieldError>
          </fieldset>
        </div>

        <details className="group rounded-lg border border-zinc-200 dark:border-zinc-800" open={Boolean(fieldErrors.spendLimit || fieldErrors.spendLimitPeriod || fieldErrors.rateLimit || fieldErrors.allowedModels || fieldErrors.expiresAt) || undefined}>
          <summary className="cursor-pointer rounded-lg px-3 py-2.5 text-sm font-medium select-none focus-visible:outline-2 focus-visible:outline-indigo-500">
            Limits (optional)
            <span className="ml-2 font-normal text-zinc-600 dark:text-zinc-400">spend and rate limits, models, expiry</span>
          </summary>
          <div className="grid gap-5 border-t border-zinc-200 px-3 py-4 md:grid-cols-3 dark:border-zinc-800">
            <div>
              <Label htmlFor="spend-limit">Spend limit in USD (optional)</Label>
              <div className="relative mt-1 max-w-48">
                <span aria-hidden="true" className="pointer-events-none absolute inset-y-0 left-3 flex items-center text-sm text-zinc-500">
                  $
                </span>
                <Input
                  id="spend-limit"
                  name="spendLimit"
                  inputMode="decimal"
                  autoComplete="off"
                  placeholder="No limit"
                  className="pl-7"
                  aria-invalid={invalid("spendLimit")}
                  aria-describedby={describedBy("spend-limit-hint", fieldErrors.spendLimit && "spend-limit-error")}
                />
              </div>
              <FieldHint id="spend-limit-hint">Requests are refused once this key has spent this much in the period.</FieldHint>
              <FieldError id="spend-limit-error">{fieldErrors.spendLimit}</FieldError>
              <Label htmlFor="spend-limit-period" className="mt-4">
                Limit resets
              </Label>
              <select id="spend-limit-period" name="spendLimitPeriod" defaultValue="NONE" className={clsx(inputClasses, "mt-1 max-w-48")}>
                {LIMIT_PERIODS.map((p) => (
                  <option key={p.value} value={p.value}>
                    {p.label}
                  </option>
                ))}
              </select>
              <Label htmlFor="rate-limit" className="mt-4">
                Rate limit per minute (optional)
              </Label>
              <Input
                id="rate-limit"
                name="rateLimit"
                inputMode="numeric"
                autoComplete="off"
                placeholder="No limit"
                className="mt-1 max-w-48"
                aria-invalid={invalid("rateLimit")}
                aria-describedby={describedBy("rate-limit-hint", fieldErrors.rateLimit && "rate-limit-error")}
              />
              <FieldHint id="rate-limit-hint">The most requests this key may make in a minute. Leave it empty for no limit.</FieldHint>
              <FieldError id="rate-limit-error">{fieldErrors.rateLimit}</FieldError>
            </div>

            <fieldset aria-describedby={describedBy("models-hint", fieldErrors.allowedModels && "models-error")}>
              <legend className="text-sm font-medium text-zinc-800 dark:text-zinc-200">Allowed models (optional)</legend>
              <FieldHint id="models-hint">Leave all unchecked to allow every model.</FieldHint>
              {models.length === 0 ? (
                <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">No models are available yet.</p>
              ) : (
                <ul className="mt-2 grid max-h-48 gap-1 overflow-y-auto">
                  {models.map((model) => (
                    <li key={model.id}>
                      <label className="flex cursor-pointer items-center gap-2 rounded-md px-2 py-1.5 text-sm hover:bg-zinc-50 dark:hover:bg-zinc-800/60">
                        <input type="checkbox" name="allowedModels" value={model.id} className="accent-indigo-600" />
                        <span className="shrink-0 font-mono text-xs">{model.id}</span>
                        <span className="min-w-0 truncate text-xs text-zinc-600 dark:text-zinc-400">{model.displayName}</span>
                      </label>
                    </li>
                  ))}
                </ul>
              )}
              <FieldError id="models-error">{fieldErrors.allowedModels}</FieldError>
            </fieldset>

            <div>
              <Label htmlFor="expires-at">Expires on (optional)</Label>
              <Input
                id="expires-at"
                name="expiresAt"
                type="date"
                min={today}
                className="mt-1 max-w-48"
                aria-invalid={invalid("expiresAt")}
                aria-describedby={describedBy("expires-at-hint", fieldErrors.expiresAt && "expires-at-error")}
              />
              <FieldHint id="expires-at-hint">The key stops working at the end of this day (UTC).</FieldHint>
              <FieldError id="expires-at-error">{fieldErrors.expiresAt}</FieldError>
            </div>
          </div>
        </details>

        <Button type="submit" disabled={pending}>
          {pending ? "Creating…" : "Create key"}
        </Button>
      </form>
    </div>
  );
}

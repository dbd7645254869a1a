"use client";

import clsx from "clsx";
import { useRef, useState, useTransition } from "react";
import { updateKeyAction, type KeyField } from "@/app/(portal)/keys/actions";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { FieldError, FieldHint, Input, Label, describedBy, inputClasses } from "@/components/ui/input";
import { LIMIT_PERIODS, type ModelChoice } from "./create-key-form";

export interface EditableKey {
  id: string;
  name: string;
  /** Dollars as typed ("25.5"), or "" for no limit. */
  spendLimit: string;
  spendLimitPeriod: "NONE" | "DAILY" | "WEEKLY" | "MONTHLY";
  rateLimit: string;
  allowedModels: string[];
  /** YYYY-MM-DD or "". */
  expiresOn: string;
}

/** "Edit" opens a dialog with the key's name and limits; saving applies them on every instance at once. */
export function EditKeyButton({ keyData, models, today }: { keyData: EditableKey; models: ModelChoice[]; today: string }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<KeyField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  // The form exists only while the dialog is open: its fields (and their labels) never duplicate the create form's.
  const [open, setOpen] = useState(false);
  const p = `edit-${keyData.id}`;
  const invalid = (field: KeyField) => (fieldErrors[field] ? true : undefined);

  return (
    <>
      <Button
        variant="secondary"
        size="sm"
        aria-label={`Edit ${keyData.name}`}
        onClick={() => {
          setFieldErrors({});
          setFormError(null);
          setOpen(true);
          dialogRef.current?.showModal();
        }}
      >
        Edit
      </Button>
      <dialog
        ref={dialogRef}
        aria-labelledby={`${p}-title`}
        onClose={() => setOpen(false)}
        className="m-auto w-[min(40rem,calc(100vw-2rem))] rounded-xl border border-zinc-200 bg-white p-0 text-zinc-900 shadow-xl dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-100"
      >
        {open ? (
        <form
          ref={formRef}
          noValidate
          className="space-y-4 p-6 text-left whitespace-normal"
          onSubmit={(event) => {
            event.preventDefault();
            const data = new FormData(event.currentTarget);
            startTransition(async () => {
              const result = await updateKeyAction(keyData.id, data).catch(() => ({ status: "error" as const, fieldErrors: {}, formError: "Something went wrong. Please try again." }));
              if (result.status === "updated") {
                dialogRef.current?.close();
              } else {
                setFieldErrors(result.fieldErrors);
                setFormError(result.formError ?? null);
              }
            });
          }}
        >
          <h2 id={`${p}-title`} className="text-lg font-semibold">
            Edit “{keyData.name}”
          </h2>
          {formError ? (
            <Alert tone="error" role="alert">
              {formError}
            </Alert>
          ) : null}
          <div>
            <Label htmlFor={`${p}-name`}>Name</Label>
            <Input
              id={`${p}-name`}
              name="name"
              defaultValue={keyData.name}
              maxLength={80}
              className="mt-1"
              aria-invalid={invalid("name")}
              aria-describedby={describedBy(fieldErrors.name && `${p}-name-error`)}
            />
            <FieldError id={`${p}-name-error`}>{fieldErrors.name}</FieldError>
          </div>
          <div className="grid gap-4 sm:grid-cols-2">
            <div>
              <Label htmlFor={`${p}-spend`}>Spend limit in USD</Label>
              {/* The same "$" adornment as the create form's field. */}
              <div className="relative mt-1">
                <span aria-hidden="true" className="pointer-events-none absolute inset-y-0 left-3 flex items-center text-sm text-zinc-500">
                  $
                </span>
                <Input
                  id={`${p}-spend`}
                  name="spendLimit"
                  inputMode="decimal"
                  autoComplete="off"
                  placeholder="No limit"
                  defaultValue={keyData.spendLimit}
                  className="pl-7"
                  aria-invalid={invalid("spendLimit")}
                  aria-describedby={describedBy(fieldErrors.spendLimit && `${p}-spend-error`)}
                />
              </div>
              <FieldError id={`${p}-spend-error`}>{fieldErrors.spendLimit}</FieldError>
            </div>
            <div>
              <Label htmlFor={`${p}-period`}>Limit resets</Label>
              <select id={`${p}-period`} name="spendLimitPeriod" defaultValue={keyData.spendLimitPeriod} className={clsx(inputClasses, "mt-1")}>
                {LIMIT_PERIODS.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <Label htmlFor={`${p}-rate`}>Rate limit per minute</Label>
              <Input
                id={`${p}-rate`}
                name="rateLimit"
                inputMode="numeric"
                autoComplete="off"
                placeholder="No limit"
                defaultValue={keyData.rateLimit}
                className="mt-1"
                aria-invalid={invalid("rateLimit")}
                aria-describedby={describedBy(`${p}-rate-hint`, fieldErrors.rateLimit && `${p}-rate-error`)}
              />
              <FieldHint id={`${p}-rate-hint`}>Empty: no limit.</FieldHint>
              <FieldError id={`${p}-rate-error`}>{fieldErrors.rateLimit}</FieldError>
            </div>
            <div>
              <Label htmlFor={`${p}-expires`}>Expires on</Label>
              <Input
                id={`${p}-expires`}
                name="expiresAt"
                type="date"
                min={today}
                defaultValue={keyData.expiresOn}
                className="mt-1"
                aria-invalid={invalid("expiresAt")}
                aria-describedby={describedBy(`${p}-expires-hint`, fieldErrors.expiresAt && `${p}-expires-error`)}
              />
              <FieldHint id={`${p}-expires-hint`}>Empty: never expires.</FieldHint>
              <FieldError id={`${p}-expires-error`}>{fieldErrors.expiresAt}</FieldError>
            </div>
          </div>
          <fieldset aria-describedby={describedBy(`${p}-models-hint`, fieldErrors.allowedModels && `${p}-models-error`)}>
            <legend className="text-sm font-medium text-zinc-800 dark:text-zinc-200">Allowed models</legend>
            <FieldHint id={`${p}-models-hint`}>Leave all unchecked to allow every model.</FieldHint>
            <ul className="mt-2 grid max-h-40 gap-1 overflow-y-auto sm:grid-cols-2">
              {models.map((model) => (
                <li key={model.id}>
                  <label className="flex cursor-pointer items-center gap-2 rounded-md px-2 py-1 text-sm hover:bg-zinc-50 dark:hover:bg-zinc-800/60">
                    <input type="checkbox" name="allowedModels" value={model.id} defaultChecked={keyData.allowedModels.includes(model.id)} className="accent-indigo-600" />
                    <span className="font-mono text-xs">{model.id}</span>
                  </label>
                </li>
              ))}
            </ul>
            <FieldError id={`${p}-models-error`}>{fieldErrors.allowedModels}</FieldError>
          </fieldset>
          <div className="flex justify-end gap-3 pt-2">
            <Button variant="secondary" onClick={() => dialogRef.current?.close()} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending}>
              {pending ? "Saving…" : "Save changes"}
            </Button>
          </div>
        </form>
        ) : (
          <h2 id={`${p}-title`} className="sr-only">
            Edit “{keyData.name}”
          </h2>
        )}
      </dialog>
    </>
  );
}

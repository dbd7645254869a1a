"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { signUpAction, type SignUpField } from "@/app/(auth)/sign-up/actions";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { FieldError, FieldHint, Input, Label, describedBy } from "@/components/ui/input";
import { AuthCard, authLinkClasses } from "./auth-card";
import { signInErrorMessage } from "./sign-in-form";

export function SignUpForm({ errors }: { errors: Record<string, string> }) {
  const router = useRouter();
  const [values, setValues] = useState({ email: "", password: "", name: "" });
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<SignUpField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const set = (field: SignUpField) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [field]: e.target.value }));

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const next: Partial<Record<SignUpField, string>> = {};
    if (!/^\S+@\S+\.\S+$/.test(values.email.trim())) next.email = "Enter a valid email address.";
    if (values.password.length < 8) next.password = "Use at least 8 characters.";
    setFieldErrors(next);
    setFormError(null);
    if (Object.keys(next).length) return;

    setPending(true);
    try {
      const data = new FormData();
      data.set("email", values.email);
      data.set("password", values.password);
      data.set("name", values.name);
      const result = await signUpAction(data);
      if (!result.ok) {
        setFieldErrors(result.fieldErrors);
        setFormError(result.formError ?? null);
        setPending(false);
        return;
      }
      const signedIn = await signIn("credentials", { email: values.email.trim(), password: values.password, redirect: false });
      if (!signedIn || signedIn.error) {
        setFormError(`Your account was created, but we couldn't sign you in: ${signInErrorMessage(signedIn?.error ?? "", errors)}`);
        setPending(false);
        return;
      }
      router.push("/billing");
      router.refresh();
    } catch (error) {
      console.error(error);
      setFormError("Something went wrong. Please try again.");
      setPending(false);
    }
  }

  const fieldProps = (field: SignUpField, hintId?: string) => ({
    id: field,
    name: field,
    className: "mt-1",
    value: values[field],
    onChange: set(field),
    "aria-invalid": fieldErrors[field] ? true : undefined,
    "aria-describedby": describedBy(hintId, fieldErrors[field] && `${field}-error`),
  });

  return (
    <AuthCard
      title="Create your account"
      subtitle="Free to create. You only pay for the requests you make."
      footer={
        <>
          Already have an account?{" "}
          <Link href="/sign-in" className={authLinkClasses}>
            Sign in
          </Link>
        </>
      }
    >
      <form method="post" noValidate onSubmit={onSubmit} className="space-y-4">
        {formError ? (
          <Alert tone="error" role="alert">
            {formError}
          </Alert>
        ) : null}
        <div>
          <Label htmlFor="name">Name (optional)</Label>
          <Input type="text" autoComplete="name" maxLength={100} {...fieldProps("name")} />
          <FieldError id="name-error">{fieldErrors.name}</FieldError>
        </div>
        <div>
          <Label htmlFor="email">Email</Label>
          <Input type="email" autoComplete="email" required {...fieldProps("email")} />
          <FieldError id="email-error">{fieldErrors.email}</FieldError>
        </div>
        <div>
          <Label htmlFor="password">Password</Label>
          {/* The hint and the error say the same thing: the error takes the hint's place rather than repeating it. */}
          <Input type="password" autoComplete="new-password" required minLength={8} {...fieldProps("password", fieldErrors.password ? undefined : "password-hint")} />
          {fieldErrors.password ? <FieldError id="password-error">{fieldErrors.password}</FieldError> : <FieldHint id="password-hint">At least 8 characters.</FieldHint>}
        </div>
        <Button type="submit" className="w-full" disabled={pending}>
          {pending ? "Creating account…" : "Create account"}
        </Button>
      </form>
    </AuthCard>
  );
}

"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { FieldError, Input, Label, describedBy } from "@/components/ui/input";
import { AuthCard, authLinkClasses } from "./auth-card";

type Field = "email" | "password";

/** Turns next-auth's error code into a sentence (the table comes from the server). */
export function signInErrorMessage(code: string, errors: Record<string, string>): string {
  return errors[code] ?? "We couldn't sign you in. Please try again.";
}

export function SignInForm({ callbackUrl, errors }: { callbackUrl: string; errors: Record<string, string> }) {
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  // Each failed attempt moves focus to what went wrong: the first invalid field, or the message. (The button
  // is disabled while signing in, so without this focus falls back to the page's body.)
  const [failures, setFailures] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!failures) return;
    const target = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"], [data-focus-on-error]');
    target?.focus();
  }, [failures]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const next: Partial<Record<Field, string>> = {};
    if (!email.trim()) next.email = "Enter your email address.";
    if (!password) next.password = "Enter your password.";
    setFieldErrors(next);
    setFormError(null);
    if (Object.keys(next).length) {
      setFailures((n) => n + 1);
      return;
    }

    setPending(true);
    try {
      const result = await signIn("credentials", { email: email.trim(), password, redirect: false });
      if (!result || result.error) {
        setFormError(signInErrorMessage(result?.error ?? "", errors));
        setPending(false);
        setFailures((n) => n + 1);
        return;
      }
      router.push(callbackUrl || "/billing");
      router.refresh();
    } catch (error) {
      console.error(error);
      setFormError("Something went wrong. Please try again.");
      setPending(false);
      setFailures((n) => n + 1);
    }
  }

  return (
    <AuthCard
      title="Sign in"
      subtitle="Welcome back. Sign in to manage your balance and API keys."
      footer={
        <>
          New to Meterway?{" "}
          <Link href="/sign-up" className={authLinkClasses}>
            Create an account
          </Link>
        </>
      }
    >
      <form ref={formRef} method="post" noValidate onSubmit={onSubmit} className="space-y-4">
        {formError ? (
          <div role="alert" data-focus-on-error tabIndex={-1} className="rounded-lg focus:outline-2 focus:outline-offset-2 focus:outline-red-500/60">
            <Alert tone="error">{formError}</Alert>
          </div>
        ) : null}
        <div>
          <Label htmlFor="email">Email</Label>
          <Input
            id="email"
            name="email"
            type="email"
            autoComplete="email"
            required
            className="mt-1"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={fieldErrors.email ? true : undefined}
            aria-describedby={describedBy(fieldErrors.email && "email-error")}
          />
          <FieldError id="email-error">{fieldErrors.email}</FieldError>
        </div>
        <div>
          <Label htmlFor="password">Password</Label>
          <Input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            className="mt-1"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={fieldErrors.password ? true : undefined}
            aria-describedby={describedBy(fieldErrors.password && "password-error")}
          />
          <FieldError id="password-error">{fieldErrors.password}</FieldError>
        </div>
        <Button type="submit" className="w-full" disabled={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </Button>
      </form>
    </AuthCard>
  );
}

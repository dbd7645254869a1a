"use server";

import { signUp } from "@/lib/auth/sign-up";
import { isAppError } from "@/lib/errors";

export type SignUpField = "email" | "password" | "name";
export type SignUpResult = { ok: true } | { ok: false; fieldErrors: Partial<Record<SignUpField, string>>; formError?: string };

const FIELDS: readonly string[] = ["email", "password", "name"];

/**
 * Creates the account; the client then signs in with the same credentials. Takes FormData rather than
 * an object so that `next dev`'s server-function log does not print the password.
 */
export async function signUpAction(formData: FormData): Promise<SignUpResult> {
  try {
    await signUp({
      input: {
        email: String(formData.get("email") ?? ""),
        password: String(formData.get("password") ?? ""),
        name: String(formData.get("name") ?? "").trim() || undefined,
      },
    });
    return { ok: true };
  } catch (error) {
    if (isAppError(error)) {
      if (error.param && FIELDS.includes(error.param)) {
        return { ok: false, fieldErrors: { [error.param as SignUpField]: error.message } };
      }
      return { ok: false, fieldErrors: {}, formError: error.message };
    }
    console.error("[sign-up] unexpected error", error);
    return { ok: false, fieldErrors: {}, formError: "Something went wrong on our side. Please try again." };
  }
}

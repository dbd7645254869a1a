import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { SIGN_IN_ERRORS } from "@/lib/auth/options";
import { getSessionUser } from "@/lib/auth/session";
import { safeRedirectPath } from "@/lib/http/safe-redirect";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeRedirectPath(params.callbackUrl);
  if (await getSessionUser()) redirect(callbackUrl);
  return <SignInForm callbackUrl={callbackUrl} errors={SIGN_IN_ERRORS} />;
}

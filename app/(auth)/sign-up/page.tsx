import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { SIGN_IN_ERRORS } from "@/lib/auth/options";
import { getSessionUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Create an account" };

export default async function SignUpPage() {
  if (await getSessionUser()) redirect("/billing");
  return <SignUpForm errors={SIGN_IN_ERRORS} />;
}

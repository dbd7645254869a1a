// next-auth: email + password (Credentials), JWT sessions. The secret comes from the environment
// (the dev launcher generates one under .data/ when it is unset).
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { env } from "@/lib/env.js";
import { signIn } from "./sign-in";

/** Error codes the sign-in form turns into sentences. */
export const SIGN_IN_ERRORS = {
  invalid: "Wrong email or password.",
  rate_limited: "Too many attempts. Wait a few minutes and try again.",
  disabled: "This account is disabled. Contact support.",
} as const;

function clientIp(headers: Record<string, unknown> | undefined): string {
  const forwarded = headers?.["x-forwarded-for"];
  const first = typeof forwarded === "string" ? forwarded.split(",")[0]?.trim() : undefined;
  const real = headers?.["x-real-ip"];
  return first || (typeof real === "string" ? real : "") || "local";
}

export const authOptions: NextAuthOptions = {
  secret: env.NEXTAUTH_SECRET,
  session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
  pages: { signIn: "/sign-in" },
  providers: [
    CredentialsProvider({
      name: "Email",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        const result = await signIn({
          email: credentials?.email,
          password: credentials?.password,
          ip: clientIp(req?.headers as Record<string, unknown> | undefined),
        });
        if (!result.ok) throw new Error(result.reason);
        return { id: result.user.id, email: result.user.email, name: result.user.name, role: result.user.role };
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.role = (user as { role?: "USER" | "ADMIN" }).role ?? "USER";
      }
      return token;
    },
    async session({ session, token }) {
      if (session.user) {
        session.user.id = token.uid as string;
        session.user.role = (token.role as "USER" | "ADMIN") ?? "USER";
      }
      return session;
    },
  },
};

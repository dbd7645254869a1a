// next-auth: email + password (Credentials), JWT sessions. The secret comes from the environment
// (the dev launcher generates one under .data/ when it is unset).
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { env } from "@/lib/env.js";
import { clientAddress } from "@/lib/http/client-ip";
import { signIn } from "./sign-in";

/** Error codes the sign-in form turns into sentences. */
export const SIGN_IN_ERRORS = {
  invalid: "Wrong email or password.",
  rate_limited: `Too many attempts. Wait ${Math.round(env.SIGNIN_WINDOW_SECONDS / 60)} minutes and try again.`,
  disabled: "This account is disabled. Contact support.",
} as const;

/** next-auth hands authorize() the request's headers as a plain object. */
function addressOf(headers: Record<string, unknown> | undefined): string {
  return clientAddress((name) => {
    const value = headers?.[name];
    return typeof value === "string" ? value : null;
  }) ?? "unknown";
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
          ip: addressOf(req?.headers as Record<string, unknown> | undefined),
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

import { getServerSession } from "next-auth";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { UserCtx } from "@/lib/context";
import { REQUEST_PATH_HEADER, signInUrl } from "@/lib/http/safe-redirect";
import { authOptions } from "./options";

export interface SessionUser extends UserCtx {
  email: string;
  name: string | null;
}

export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions);
  const user = session?.user;
  if (!user?.id || !user.email) return null;
  return { userId: user.id, role: user.role, email: user.email, name: user.name ?? null };
}

/**
 * For portal pages and actions: the signed-in user, or a redirect to sign-in that comes back to the page
 * asked for (path and query, as proxy.ts recorded them; sign-in checks the path is ours).
 */
export async function requireUser(): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(signInUrl((await headers()).get(REQUEST_PATH_HEADER)));
  return user;
}

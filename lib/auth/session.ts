import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import type { UserCtx } from "@/lib/context";
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

/** For portal pages and actions: the signed-in user, or a redirect to sign-in. */
export async function requireUser(): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect("/sign-in");
  return user;
}

// The server-side gate of every admin page, server action and route handler (never the nav link alone).
import { notFound } from "next/navigation";
import { assertAdmin, type AdminActor } from "@/lib/admin/assert-admin";
import { isAppError } from "@/lib/errors";
import { getSessionUser, type SessionUser } from "./session";

export type AdminUser = SessionUser & AdminActor;

/** The signed-in admin (role re-read from the database), or null for anyone else. For route handlers. */
export async function getAdminUser(): Promise<AdminUser | null> {
  const user = await getSessionUser();
  if (!user) return null;
  try {
    const admin = await assertAdmin(user);
    return { ...user, ...admin, role: "ADMIN" };
  } catch (error) {
    if (isAppError(error)) return null;
    throw error;
  }
}

/** For admin pages and server actions: the admin, or a 404 for everyone else (signed in or not). */
export async function requireAdmin(): Promise<AdminUser> {
  const admin = await getAdminUser();
  if (!admin) notFound();
  return admin;
}

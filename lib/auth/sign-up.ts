import { db, Prisma } from "@/lib/db";
import { isAdminEmail } from "@/lib/env.js";
import { AppError } from "@/lib/errors";
import { hashPassword } from "./password";
import { SignUpInput } from "./schemas";

/** Creates a user and their (empty) prepaid account together. */
export async function signUp({ input, role = "USER" }: { input: SignUpInput; role?: "USER" | "ADMIN" }) {
  const parsed = SignUpInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("invalid_request", issue.message, { param: String(issue.path[0] ?? "") });
  }
  const { email, password, name } = parsed.data;
  const passwordHash = await hashPassword(password);
  try {
    return await db.user.create({
      data: { email, name: name || null, passwordHash, role: isAdminEmail(email) ? "ADMIN" : role, account: { create: {} } },
      select: { id: true, email: true, name: true, role: true, createdAt: true },
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("conflict", "An account with this email already exists. Sign in instead.", { param: "email" });
    }
    throw error;
  }
}

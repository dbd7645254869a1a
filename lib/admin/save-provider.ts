import type { UserCtx } from "@/lib/context";
import { db, Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import { invalidateModels } from "@/lib/gateway/models";
import { assertAdmin } from "./assert-admin";
import { parseInput } from "./parse-input";
import { ProviderInput } from "./schemas";

/**
 * Creates or edits a provider. Its secret is never stored: apiKeyEnv names the environment variable.
 * Every instance drops its model cache on commit (the providers_changed trigger).
 */
export async function saveProvider({ ctx, input, create }: { ctx: Pick<UserCtx, "userId">; input: ProviderInput; create: boolean }) {
  const admin = await assertAdmin(ctx);
  const data = parseInput(ProviderInput, input);
  try {
    const saved = await db.$transaction(async (tx) => {
      const before = await tx.provider.findUnique({ where: { id: data.id } });
      if (create && before) throw new AppError("conflict", `A provider with the id ${data.id} already exists`, { param: "id" });
      if (!create && !before) throw new AppError("not_found", `No provider ${data.id}`);
      const after = before
        ? await tx.provider.update({ where: { id: data.id }, data })
        : await tx.provider.create({ data });
      await recordAudit(tx, {
        actorId: admin.userId,
        action: before ? "provider.updated" : "provider.created",
        targetType: "provider",
        targetId: data.id,
        before: before ? { ...before } : null,
        after: { ...after },
      });
      return after;
    });
    // This instance at once; the others on the trigger's NOTIFY.
    invalidateModels();
    return saved;
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("conflict", `A provider with the id ${data.id} already exists`, { param: "id" });
    }
    throw error;
  }
}

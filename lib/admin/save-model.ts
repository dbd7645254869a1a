import type { UserCtx } from "@/lib/context";
import { db, Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { aModelOf } from "@/lib/text";
import { recordAudit } from "@/lib/audit/record";
import { invalidateModels } from "@/lib/gateway/models";
import { assertAdmin } from "./assert-admin";
import { parseInput } from "./parse-input";
import { ModelInput } from "./schemas";

const PRICE_FIELDS = ["inputPerMtokMicros", "outputPerMtokMicros", "perImageMicros", "perTaskMicros"] as const;

/**
 * Creates or edits a model. A price change applies to new requests only: usage records keep the price
 * they were charged at, the change is added to the model's price history in the same transaction, and
 * every instance drops its model cache on commit (the models_changed trigger).
 */
export async function saveModel({ ctx, input, create }: { ctx: Pick<UserCtx, "userId">; input: ModelInput; create: boolean }) {
  const admin = await assertAdmin(ctx);
  const data = parseInput(ModelInput, input);
  try {
    const saved = await db.$transaction(async (tx) => {
      const provider = await tx.provider.findUnique({ where: { id: data.providerId }, select: { id: true } });
      if (!provider) throw new AppError("invalid_request", "Choose an existing provider", { param: "providerId" });
      if (data.fallbackProviderId) {
        const fallback = await tx.provider.findUnique({ where: { id: data.fallbackProviderId }, select: { kind: true } });
        if (!fallback) throw new AppError("invalid_request", "Choose an existing fallback provider", { param: "fallbackProviderId" });
        // The Anthropic adapter serves chat only (Messages).
        if (fallback.kind === "ANTHROPIC" && data.type !== "CHAT") {
          throw new AppError("invalid_request", `An Anthropic provider cannot serve ${aModelOf(data.type)}`, { param: "fallbackProviderId" });
        }
      }
      const before = await tx.model.findUnique({ where: { id: data.id } });
      if (create && before) throw new AppError("conflict", `A model with the id ${data.id} already exists`, { param: "id" });
      if (!create && !before) throw new AppError("not_found", `No model ${data.id}`);
      const after = before
        ? await tx.model.update({ where: { id: data.id }, data: { ...data, updatedAt: new Date() } })
        : await tx.model.create({ data });
      const priceChanged = !before || PRICE_FIELDS.some((f) => before[f] !== after[f]);
      if (priceChanged) {
        await tx.modelPrice.create({
          data: {
            modelId: after.id,
            inputPerMtokMicros: after.inputPerMtokMicros,
            outputPerMtokMicros: after.outputPerMtokMicros,
            perImageMicros: after.perImageMicros,
            perTaskMicros: after.perTaskMicros,
            changedBy: admin.email,
          },
        });
      }
      await recordAudit(tx, {
        actorId: admin.userId,
        action: !before ? "model.created" : priceChanged ? "model.price_changed" : "model.updated",
        targetType: "model",
        targetId: after.id,
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
      throw new AppError("conflict", `A model with the id ${data.id} already exists`, { param: "id" });
    }
    throw error;
  }
}

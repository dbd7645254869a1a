// Words for plans and allowances, shared by the Plans page, its sandbox checkout and the admin pages.
import type { AllowanceView } from "@/lib/billing/subscriptions/list-subscriptions";
import { displayUsd } from "@/lib/money";

const integer = new Intl.NumberFormat("en-US");

export function per(interval: "MONTH" | "YEAR"): string {
  return interval === "YEAR" ? "year" : "month";
}

export function priceText(priceMicros: bigint, interval: "MONTH" | "YEAR"): string {
  return `${displayUsd(priceMicros)} / ${per(interval)}`;
}

/**
 * The model types an allowance covers: its own, else those of the models it names (a custom line of
 * image models counts images), when `typeOf` knows them all.
 */
export function withModelTypes<A extends Pick<AllowanceView, "modelTypes" | "modelIds">>(a: A, typeOf?: Map<string, string>): A {
  if (a.modelTypes.length > 0 || a.modelIds.length === 0 || !typeOf) return a;
  const types = a.modelIds.map((id) => typeOf.get(id));
  if (types.some((t) => t === undefined)) return a;
  return { ...a, modelTypes: [...new Set(types)] as A["modelTypes"] };
}

/** What a unit allowance counts, from the model types it covers. */
export function unitNoun(a: Pick<AllowanceView, "modelTypes">, count: bigint | number = 2n): string {
  const one = BigInt(count) === 1n;
  if (a.modelTypes.length > 0 && a.modelTypes.every((t) => t === "IMAGE")) return one ? "image" : "images";
  if (a.modelTypes.length > 0 && a.modelTypes.every((t) => t === "VIDEO" || t === "MUSIC")) return one ? "task" : "tasks";
  return one ? "request" : "requests";
}

export function amountText(a: Pick<AllowanceView, "unit" | "modelTypes">, value: bigint): string {
  return a.unit === "MICROS" ? displayUsd(value) : `${integer.format(value)} ${unitNoun(a, value)}`;
}

/** "$3.20 of $10.00 left", "95 of 100 images left", "Unlimited". */
export function remainingText(a: AllowanceView): string {
  if (a.limit === null || a.remaining === null) return "Unlimited";
  const left = a.unit === "MICROS" ? displayUsd(a.remaining) : integer.format(a.remaining);
  return `${left} of ${amountText(a, a.limit)} left`;
}

/** Which models an allowance (or plan) covers, in words. */
export function coverageText(modelIds: string[], modelNames: Map<string, string>, modelTypes: string[] = []): string {
  const types = modelTypes.length ? modelTypes.map((t) => t.toLowerCase()).join(" and ") : null;
  if (modelIds.length === 0) return types ? `Every ${types} model` : "Every model";
  const names = modelIds.map((id) => modelNames.get(id) ?? id);
  const list = names.length > 4 ? `${names.slice(0, 4).join(", ")} and ${names.length - 4} more` : names.join(", ");
  return types ? `${list} (${types})` : list;
}

export const dateText = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });

import { redirect } from "next/navigation";
import { requireAdmin } from "@/lib/auth/require-admin";

export default async function AdminHome() {
  await requireAdmin();
  redirect("/admin/customers");
}

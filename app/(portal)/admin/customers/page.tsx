import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { PageHeader } from "@/components/layout/page-header";
import { PageLoading } from "@/components/layout/page-loading";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { Input, Label } from "@/components/ui/input";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { searchCustomers } from "@/lib/admin/search-customers";
import { requireAdmin } from "@/lib/auth/require-admin";
import { displayUsd } from "@/lib/money";

export const metadata: Metadata = { title: "Customers · Admin" };

type SearchParams = Promise<{ q?: string }>;

export default function AdminCustomersPage({ searchParams }: { searchParams: SearchParams }) {
  // The loading state is this boundary rather than a loading.tsx: an admin/customers/loading.tsx would also
  // wrap /admin/customers/[id] and its subscription page, whose "not found" must be a real 404 — and a
  // response that has started streaming (a loading fallback sent) can only be a 200.
  return (
    <Suspense fallback={<PageLoading label="the customers" />}>
      <AdminCustomers searchParams={searchParams} />
    </Suspense>
  );
}

async function AdminCustomers({ searchParams }: { searchParams: SearchParams }) {
  const admin = await requireAdmin();
  const { q = "" } = await searchParams;
  const customers = await searchCustomers({ ctx: admin, input: { q } });
  return (
    <>
      <PageHeader title="Customers" description="Find a customer by email or by the visible prefix of one of their keys." />
      <form role="search" method="get" className="mb-6 flex flex-wrap items-end gap-3">
        <div className="min-w-64 flex-1">
          <Label htmlFor="q">Email or key prefix</Label>
          <Input id="q" name="q" type="search" defaultValue={q} placeholder="ada@example.com or sk-live-AbC1" className="mt-1" />
        </div>
        <Button type="submit" variant="secondary">
          Search
        </Button>
      </form>
      <Card aria-labelledby="customers-heading">
        <h2 id="customers-heading" className="sr-only">
          {q ? `Customers matching ${q}` : "Newest customers"}
        </h2>
        {customers.length === 0 ? (
          <EmptyState title={q ? "No customer matches" : "No customers yet"}>{q ? `Nothing matches “${q}”. Try part of the email or the key's first characters.` : "Customers appear here when they sign up."}</EmptyState>
        ) : (
          <Table caption={q ? `Customers matching ${q}` : "Newest customers"}>
            <THead>
              <TR>
                <TH>Email</TH>
                <TH>Role</TH>
                <TH className="text-right">Balance</TH>
                <TH className="text-right">Available</TH>
                <TH className="text-right">Keys</TH>
                <TH>Status</TH>
                <TH>Joined</TH>
              </TR>
            </THead>
            <TBody>
              {customers.map((c) => (
                <TR key={c.id}>
                  <TD className="max-w-72 truncate">
                    <Link href={`/admin/customers/${c.id}`} className="font-medium text-indigo-700 underline-offset-4 hover:underline dark:text-indigo-400">
                      {c.email}
                    </Link>
                    {c.name ? <span className="block text-xs text-zinc-600 dark:text-zinc-400">{c.name}</span> : null}
                  </TD>
                  <TD>{c.role === "ADMIN" ? <Badge tone="purple">Admin</Badge> : "User"}</TD>
                  <TD className="text-right tabular-nums">{c.account ? displayUsd(c.account.balanceMicros) : "—"}</TD>
                  <TD className="text-right tabular-nums">{c.account ? displayUsd(c.account.balanceMicros - c.account.reservedMicros) : "—"}</TD>
                  <TD className="text-right tabular-nums">{c._count.apiKeys}</TD>
                  <TD>{c.disabledAt ? <Badge tone="red">Disabled</Badge> : <Badge tone="green">Active</Badge>}</TD>
                  <TD>
                    <DateTime value={c.createdAt} withTime={false} />
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
      </Card>
    </>
  );
}

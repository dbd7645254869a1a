"use client";

import { signOut } from "next-auth/react";
import { useState } from "react";
import { Button } from "@/components/ui/button";

/** `email` is shown as the button's tooltip: the header shows it as text only on wide screens. */
export function SignOutButton({ email }: { email?: string }) {
  const [pending, setPending] = useState(false);
  return (
    <Button
      variant="ghost"
      size="sm"
      disabled={pending}
      title={email ? `Signed in as ${email}` : undefined}
      onClick={async () => {
        setPending(true);
        // redirect: false and our own navigation: next-auth's redirect URL is built from NEXTAUTH_URL,
        // which may name another host than the one in the address bar. A full load also drops cached pages.
        try {
          await signOut({ redirect: false });
        } finally {
          window.location.assign("/");
        }
      }}
    >
      {pending ? "Signing out…" : "Sign out"}
    </Button>
  );
}

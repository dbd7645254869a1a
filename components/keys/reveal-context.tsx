"use client";

import { createContext, useContext, useState, type ReactNode } from "react";
import { KeyReveal } from "./key-reveal";

// A rotated key's new secret is shown above the list, not inside its row: the row moves (or loses its
// buttons) when the old key is revoked, and the secret must survive that re-render.
const RevealContext = createContext<(created: { key: string; name: string }) => void>(() => {});

export function useRevealKey() {
  return useContext(RevealContext);
}

export function KeyRevealProvider({ children }: { children: ReactNode }) {
  const [created, setCreated] = useState<{ key: string; name: string } | null>(null);
  return (
    <RevealContext.Provider value={setCreated}>
      {created ? (
        <div className="mb-6">
          <KeyReveal name={created.name} secret={created.key} onDone={() => setCreated(null)} />
        </div>
      ) : null}
      {children}
    </RevealContext.Provider>
  );
}

// Who is acting. Every verb takes a ctx and scopes its queries to it.
export interface UserCtx {
  userId: string;
  role: "USER" | "ADMIN";
}

/** The operator command line acts as the system, on behalf of whoever it names. */
export interface SystemCtx {
  actor: string;
}

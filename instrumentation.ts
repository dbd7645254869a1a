// Runs once when a server instance starts: background jobs that every instance may run safely at
// the same time (each step is a conditional, idempotent SQL statement).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startBackgroundJobs } = await import("./lib/jobs");
  startBackgroundJobs();
}

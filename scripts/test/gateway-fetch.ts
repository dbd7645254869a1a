// A fetch that delivers requests straight to the real /v1 route handlers, so the official `openai`
// client can be tested against them without an HTTP server in between.
import { POST as chat } from "@/app/v1/chat/completions/route";
import { POST as embeddings } from "@/app/v1/embeddings/route";
import { POST as images } from "@/app/v1/images/generations/route";
import { GET as models } from "@/app/v1/models/route";
import { GET as balance } from "@/app/v1/balance/route";
import { POST as messages } from "@/app/v1/messages/route";

const routes: Record<string, (req: Request) => Promise<Response>> = {
  "POST /v1/chat/completions": chat,
  "POST /v1/embeddings": embeddings,
  "POST /v1/images/generations": images,
  "GET /v1/models": models,
  "GET /v1/balance": balance,
  "POST /v1/messages": messages,
};

export const BASE_URL = "http://gateway.test/v1";

export const gatewayFetch: typeof fetch = async (input, init) => {
  const req = new Request(input as RequestInfo, init);
  const handler = routes[`${req.method} ${new URL(req.url).pathname}`];
  if (!handler) return new Response(JSON.stringify({ error: { message: "no such route in the test fetch" } }), { status: 404 });
  return handler(req);
};

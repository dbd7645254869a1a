// POST /v1/embeddings — hold the input's price, embed, charge the upstream's token count
import { embeddings } from "@/lib/gateway/embeddings/embeddings";
import { gatewayRoute } from "@/lib/gateway/route";

export const dynamic = "force-dynamic";
export const POST = gatewayRoute(embeddings);

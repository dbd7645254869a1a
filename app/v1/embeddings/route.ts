// POST /v1/embeddings — hold the input's price, embed, charge the upstream's token count
import { embeddings } from "@/lib/gateway/embeddings/embeddings";
import { gatewayRoute, otherMethods } from "@/lib/gateway/route";

export const dynamic = "force-dynamic";
export const POST = gatewayRoute(embeddings);
export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");

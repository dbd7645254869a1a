// POST /v1/images/generations — hold n images' price, generate, charge the images delivered
import { imageGenerations } from "@/lib/gateway/images/images";
import { gatewayRoute, otherMethods } from "@/lib/gateway/route";

export const dynamic = "force-dynamic";
export const POST = gatewayRoute(imageGenerations);
export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");

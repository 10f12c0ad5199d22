// Any /api/* path no route handles: the API's JSON error, not Next's HTML 404 page.
// (Next matches every more specific route first; this one only catches what is left. It is a
// fallback, not an operation: docs/openapi.json states it in its description.)
import { errorResponse, notFound } from "../../lib/server/http";

const unknown = async (req: Request): Promise<Response> => {
  const path = new URL(req.url).pathname;
  return errorResponse(notFound(`The API path ${req.method} ${path.slice(0, 200)}`));
};

export { unknown as GET, unknown as POST, unknown as PUT, unknown as PATCH, unknown as DELETE, unknown as HEAD, unknown as OPTIONS };

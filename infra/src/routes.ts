// The routes API Gateway lets through without a token (SPEC §2, §9, §10). Every other request goes to the
// authorized catch-all, so a route added to the service needs no change here unless it is public.
export const publicRoutes = [
  "POST /auth/login",
  "POST /auth/verify",
  "POST /auth/refresh",
  "POST /auth/logout",
  "GET /.well-known/jwks.json",
  "GET /.well-known/openid-configuration",
  "GET /healthz",
  "GET /readyz",
  "GET /public/b/{batchId}",
  "GET /b/{batchId}",
];

// Behind the JWT authorizer: the service's own access tokens, checked against its discovery document.
export const authorizedCatchAll = "ANY /{proxy+}";

// Shared helpers of the Node interop tests. They run in the child process
// that run.mjs started with NODE_EXTRA_CA_CERTS, so plain fetch and
// @azure/identity trust gatehouse's local CA without any option.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader } from "jose";

const file = process.env.GATEHOUSE_INTEROP_FIXTURE;
if (!file) throw new Error("GATEHOUSE_INTEROP_FIXTURE is not set: run the suite with `npm test`");

/** The running server and what it was configured with (see run.mjs). */
export const fx = JSON.parse(readFileSync(file, "utf8"));

/** Options that point @azure/identity at gatehouse. */
export function identityOptions(extra = {}) {
  return { authorityHost: fx.url, disableInstanceDiscovery: true, ...extra };
}

async function getJSON(url, init) {
  let res;
  try {
    res = await fetch(url, init);
  } catch (err) {
    const c = err.cause;
    throw new Error(`${init?.method ?? "GET"} ${url}: ${err.message}${c ? `: ${c.code ?? ""} ${c.message ?? c}` : ""}`, { cause: err });
  }
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${init?.method ?? "GET"} ${url}: ${res.status} ${text}`);
  return JSON.parse(text);
}

let discoveryDoc;
/** The tenant's OIDC discovery document (v2). */
export async function discovery() {
  discoveryDoc ??= await getJSON(`${fx.url}/${fx.tenant}/v2.0/.well-known/openid-configuration`);
  return discoveryDoc;
}

let jwks;
async function keySet() {
  if (!jwks) {
    const d = await discovery();
    assert.ok(d.jwks_uri.startsWith(fx.url + "/"), `jwks_uri ${d.jwks_uri} is not on ${fx.url}`);
    jwks = createRemoteJWKSet(new URL(d.jwks_uri));
  }
  return jwks;
}

let spIds;
/**
 * Object ids of the apps' service principals, from Graph as the
 * administrator (plain client credentials, then servicePrincipals(appId=)).
 */
export async function servicePrincipalIds() {
  if (spIds) return spIds;
  const tok = await getJSON(`${fx.url}/${fx.tenant}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: fx.admin.clientId,
      client_secret: fx.admin.clientSecret,
      scope: "https://graph.microsoft.com/.default",
    }),
  });
  const lookup = async (appId) => {
    const sp = await getJSON(`${fx.url}/v1.0/servicePrincipals(appId='${appId}')`, {
      headers: { authorization: `Bearer ${tok.access_token}` },
    });
    assert.equal(sp.appId, appId);
    assert.ok(sp.id, "service principal has an id");
    return sp.id;
  };
  spIds = { secret: await lookup(fx.secretApp.clientId), cert: await lookup(fx.certApp.clientId) };
  return spIds;
}

/**
 * Verify a token's signature against the published JWKS (RS256 only) and
 * check its header and claims. want: { aud, v2, clientId, acr, oid, roles }.
 */
export async function verifyToken(token, want) {
  const header = decodeProtectedHeader(token);
  assert.ok(header.kid, "header has a kid");
  assert.equal(header.alg, "RS256");
  assert.equal(header.typ, "JWT");
  if (want.v2) assert.equal(header.x5t, undefined, "v2 header has no x5t");
  else assert.equal(header.x5t, header.kid, "v1 header x5t equals kid");

  const d = await discovery();
  const { payload: c } = await jwtVerify(token, await keySet(), { algorithms: ["RS256"] });

  assert.equal(c.aud, want.aud, "aud");
  assert.equal(c.tid, fx.tenant, "tid");
  assert.equal(c.oid, want.oid, "oid is the service principal's object id");
  assert.notEqual(c.oid, want.clientId, "oid is not the appId");
  assert.equal(c.sub, c.oid, "sub equals oid");
  assert.equal(c.idtyp, "app", "idtyp");
  if (want.v2) {
    assert.equal(c.ver, "2.0", "ver");
    assert.equal(c.iss, `${fx.url}/${fx.tenant}/v2.0`, "iss");
    assert.equal(c.iss, d.issuer, "v2 iss equals the discovery issuer");
    assert.equal(c.azp, want.clientId, "azp");
    assert.equal(c.azpacr, want.acr, "azpacr");
    assert.equal(c.appid, undefined, "no appid in v2");
    assert.equal(c.appidacr, undefined, "no appidacr in v2");
  } else {
    assert.equal(c.ver, "1.0", "ver");
    assert.equal(c.iss, `https://sts.windows.net/${fx.tenant}/`, "iss");
    assert.equal(c.appid, want.clientId, "appid");
    assert.equal(c.appidacr, want.acr, "appidacr");
    assert.equal(c.azp, undefined, "no azp in v1");
    assert.equal(c.azpacr, undefined, "no azpacr in v1");
  }
  assert.ok(typeof c.uti === "string" && c.uti.length > 0, "uti");
  assert.equal(c.scp, undefined, "no scp in an app token");
  const now = Math.floor(Date.now() / 1000);
  assert.ok(Number.isInteger(c.iat) && Math.abs(c.iat - now) < 300, `iat ${c.iat} is now (${now})`);
  assert.ok(c.nbf <= c.iat, "nbf <= iat");
  assert.ok(c.exp - c.iat >= 3590 && c.exp - c.iat <= 3600, `exp-iat ${c.exp - c.iat} is about 3599`);
  if (want.roles) assert.deepEqual([...c.roles].sort(), want.roles, "roles");
  else assert.equal(c.roles, undefined, "no roles");
  return c;
}

/**
 * A pipeline policy for @azure/identity's additionalPolicies that keeps the
 * form body of every token request (msal-node's requests go through it).
 */
export function recorder() {
  const forms = [];
  return {
    forms,
    policy: {
      position: "perCall",
      policy: {
        name: "interopRecorder",
        async sendRequest(req, next) {
          if (req.method === "POST" && new URL(req.url).pathname.endsWith("/token") && typeof req.body === "string") {
            forms.push(new URLSearchParams(req.body));
          }
          return next(req);
        },
      },
    },
  };
}

// @azure/identity (msal-node) against gatehouse: every credential type and
// scope of interest, tokens verified with jose.
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { ClientSecretCredential, ClientCertificateCredential } from "@azure/identity";
import { fx, identityOptions, verifyToken, servicePrincipalIds, recorder, discovery } from "./lib.mjs";

const scopeCases = [
  { scope: "https://cognitiveservices.azure.com/.default", aud: "https://cognitiveservices.azure.com" },
  { scope: "https://ai.azure.com/.default", aud: "https://ai.azure.com" },
  { scope: "https://management.azure.com//.default", aud: "https://management.azure.com/" },
  { scope: "https://management.core.windows.net//.default", aud: "https://management.core.windows.net/" },
  { scope: `${fx.api.identifierUri}/.default`, v2: true },
];

const credentialCases = [
  {
    name: "ClientSecretCredential",
    acr: "1",
    clientId: fx.secretApp.clientId,
    sp: "secret",
    apiRoles: undefined,
    make: (opts) => new ClientSecretCredential(fx.tenant, fx.secretApp.clientId, fx.secretApp.clientSecret, opts),
  },
  {
    name: "ClientCertificateCredential",
    acr: "2",
    clientId: fx.certApp.clientId,
    sp: "cert",
    apiRoles: [fx.api.role],
    make: (opts) => new ClientCertificateCredential(fx.tenant, fx.certApp.clientId, { certificatePath: fx.certApp.pemFile }, opts),
  },
  {
    name: "ClientCertificateCredential sendCertificateChain",
    acr: "2",
    clientId: fx.certApp.clientId,
    sp: "cert",
    apiRoles: [fx.api.role],
    chain: true,
    make: (opts) =>
      new ClientCertificateCredential(
        fx.tenant,
        fx.certApp.clientId,
        { certificatePath: fx.certApp.pemFile },
        { ...opts, sendCertificateChain: true },
      ),
  },
];

let oids;
before(async () => {
  oids = await servicePrincipalIds();
});

for (const cc of credentialCases) {
  describe(cc.name, () => {
    const rec = recorder();
    const cred = cc.make(identityOptions({ additionalPolicies: [rec.policy] }));

    for (const sc of scopeCases) {
      it(`getToken ${sc.scope}`, async () => {
        const before = rec.forms.length;
        const tok = await cred.getToken(sc.scope);
        assert.ok(tok?.token, "a token");
        const left = tok.expiresOnTimestamp - Date.now();
        assert.ok(left > 55 * 60_000 && left < 61 * 60_000, `expiresOnTimestamp in ${left} ms, want about an hour`);
        const want = { aud: sc.aud, v2: !!sc.v2, clientId: cc.clientId, acr: cc.acr, oid: oids[cc.sp] };
        if (sc.v2) Object.assign(want, { aud: fx.api.appId, roles: cc.apiRoles });
        await verifyToken(tok.token, want);
        assert.equal(rec.forms.length, before + 1, "one token request");

        const again = await cred.getToken(sc.scope);
        assert.equal(again.token, tok.token, "second getToken is served from the cache");
        assert.equal(rec.forms.length, before + 1, "no second token request");
      });
    }

    it("getToken with enableCae (claims=xms_cc)", async () => {
      const sc = scopeCases[2];
      const tok = await cred.getToken(sc.scope, { enableCae: true });
      await verifyToken(tok.token, { aud: sc.aud, clientId: cc.clientId, acr: cc.acr, oid: oids[cc.sp] });
      const claims = rec.forms.at(-1).get("claims") ?? "";
      assert.match(claims, /xms_cc/, "the CAE request carried claims with xms_cc");
    });

    it("wire: what msal-node sent was accepted", (t) => {
      assert.ok(rec.forms.length > 0, "token requests were recorded");
      const f = rec.forms[0];
      assert.equal(f.get("grant_type"), "client_credentials");
      // msal-node puts its telemetry in the form body; the server must ignore it.
      const telemetry = [...f.keys()].filter((k) => k.startsWith("x-client-") || k.startsWith("x-ms-") || k === "client-request-id");
      assert.ok(telemetry.length > 0, `msal-node sent telemetry in the body: ${[...f.keys()].join(", ")}`);
      if (cc.acr === "1") {
        assert.ok(f.get("client_secret"), "client_secret sent");
        assert.equal(f.get("client_assertion"), null);
      } else {
        assert.equal(f.get("client_secret"), null);
        assert.equal(f.get("client_assertion_type"), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        const hdr = JSON.parse(Buffer.from(f.get("client_assertion").split(".")[0], "base64url").toString());
        assert.equal("x5c" in hdr, !!cc.chain, `assertion header x5c present = ${"x5c" in hdr}`);
        t.diagnostic(`assertion header: alg=${hdr.alg} keys=${Object.keys(hdr).sort().join(",")}`);
      }
      t.diagnostic(`form keys: ${[...f.keys()].join(", ")}`);
      t.diagnostic(`scope: ${f.get("scope")}`);
    });
  });
}

describe("errors reach the caller with Entra's AADSTS code", () => {
  const cases = [
    {
      name: "wrong client secret",
      code: "AADSTS7000215",
      make: (o) => new ClientSecretCredential(fx.tenant, fx.secretApp.clientId, "not-the-secret", o),
    },
    {
      name: "unknown client id",
      code: "AADSTS700016",
      make: (o) => new ClientSecretCredential(fx.tenant, randomUUID(), fx.secretApp.clientSecret, o),
    },
    {
      name: "unknown resource",
      code: "AADSTS500011",
      scope: "api://no-such-api/.default",
      make: (o) => new ClientSecretCredential(fx.tenant, fx.secretApp.clientId, fx.secretApp.clientSecret, o),
    },
    {
      // msal-node reads the OIDC document first; Entra answers 400 AADSTS90002
      // there, which msal-node reports only as endpoints_resolution_error.
      name: "unknown tenant",
      code: "endpoints_resolution_error",
      make: (o) => new ClientSecretCredential(randomUUID(), fx.secretApp.clientId, fx.secretApp.clientSecret, o),
    },
  ];
  for (const tc of cases) {
    it(`${tc.name} → ${tc.code}`, async () => {
      const cred = tc.make(identityOptions({ retryOptions: { maxRetries: 0 } }));
      await assert.rejects(cred.getToken(tc.scope ?? scopeCases[0].scope), (err) => {
        assert.match(String(err?.message), new RegExp(tc.code), `error mentions ${tc.code}: ${err?.message}`);
        return true;
      });
    });
  }
});

describe("tenant by domain name", () => {
  const domain = "gatehouse.onmicrosoft.com";
  it("ClientSecretCredential", async () => {
    const cred = new ClientSecretCredential(domain, fx.secretApp.clientId, fx.secretApp.clientSecret, identityOptions());
    const tok = await cred.getToken(scopeCases[0].scope);
    await verifyToken(tok.token, { aud: scopeCases[0].aud, clientId: fx.secretApp.clientId, acr: "1", oid: oids.secret });
  });
  it("ClientCertificateCredential (assertion aud names the domain)", async () => {
    const cred = new ClientCertificateCredential(domain, fx.certApp.clientId, { certificatePath: fx.certApp.pemFile }, identityOptions());
    const tok = await cred.getToken(`${fx.api.identifierUri}/.default`);
    await verifyToken(tok.token, {
      aud: fx.api.appId,
      v2: true,
      clientId: fx.certApp.clientId,
      acr: "2",
      oid: oids.cert,
      roles: [fx.api.role],
    });
  });
});

describe("TLS trust", () => {
  it("NODE_EXTRA_CA_CERTS is what makes the CA trusted", async () => {
    assert.equal(process.env.NODE_EXTRA_CA_CERTS, fx.caFile);
    await discovery(); // works here, with the variable
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    const script = `fetch(${JSON.stringify(fx.url + "/healthz")}).then(() => process.exit(0), (e) => { console.log(e.cause?.code ?? e.message); process.exit(3); })`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { env, encoding: "utf8", timeout: 30_000 });
    assert.equal(r.status, 3, `without NODE_EXTRA_CA_CERTS the request must fail on TLS (status ${r.status}, ${r.stdout}${r.stderr})`);
    assert.match(r.stdout, /CERT|SIGNATURE|ISSUER/, `TLS error: ${r.stdout}`);
  });
});

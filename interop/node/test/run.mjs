// `npm test`: build gatehouse (or take GATEHOUSE_BIN), start it on a free
// loopback port with a configuration that declares a certificate app and a
// v2 API, then run `node --test` in a child process with NODE_EXTRA_CA_CERTS
// pointing at the server's CA (Node reads that variable only at start-up,
// so it cannot be set from inside the test process). Finally stop the
// server with SIGTERM and require a clean exit.
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { randomUUID, generateKeyPairSync, sign, randomBytes, X509Certificate } from "node:crypto";
import { buildBinary, startServer, runTests, stopServer, runWrapper } from "../../harness/server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "..", "..", "..");
const tmp = mkdtempSync(join(tmpdir(), "gatehouse-interop-node-"));
let server;

function log(...a) {
  console.log("[interop-node]", ...a);
}

// DER encoding, just enough for a self-signed certificate (Node can sign
// but has no API to create an X.509 certificate).
function der(tag, ...parts) {
  const body = Buffer.concat(parts);
  let len;
  if (body.length < 0x80) len = Buffer.from([body.length]);
  else {
    const bytes = [];
    for (let n = body.length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...p) => der(0x30, ...p);
const utcTime = (d) => der(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z"));
const sha256WithRSA = seq(Buffer.from("06092a864886f70d01010b", "hex"), Buffer.from("0500", "hex"));
const cnName = (cn) => seq(der(0x31, seq(Buffer.from("0603550403", "hex"), der(0x0c, Buffer.from(cn)))));

// A self-signed RSA certificate for the client app: the certificate alone
// for the server's configuration, key + certificate in one PEM for the
// client (the form ClientCertificateCredential reads).
function makeCertificate(cn) {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const serial = randomBytes(12);
  serial[0] &= 0x7f; // positive
  serial[0] |= 0x01; // no leading zero byte
  const now = Date.now();
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))), // version v3
    der(0x02, serial),
    sha256WithRSA,
    cnName(cn),
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 24 * 3600_000))),
    cnName(cn),
    publicKey.export({ type: "spki", format: "der" }),
  );
  const sig = sign("sha256", tbs, privateKey);
  const cert = seq(tbs, sha256WithRSA, der(0x03, Buffer.from([0]), sig));
  const x = new X509Certificate(cert); // parse back: a malformed certificate fails here
  if (!x.verify(publicKey)) throw new Error("generated certificate does not verify");
  const pem = (label, b) => `-----BEGIN ${label}-----\n${b.toString("base64").match(/.{1,64}/g).join("\n")}\n-----END ${label}-----\n`;
  return { certPem: pem("CERTIFICATE", cert), keyPem: privateKey.export({ type: "pkcs8", format: "pem" }) };
}

async function main() {
  const bin = buildBinary(repoRoot, tmp, log);
  const { certPem, keyPem } = makeCertificate("interop-node-cert-app");
  const certFile = join(tmp, "cert.pem");
  const clientPemFile = join(tmp, "client.pem"); // key + certificate
  writeFileSync(certFile, certPem, { mode: 0o600 });
  writeFileSync(clientPemFile, keyPem + certPem, { mode: 0o600 });

  const apiAppId = randomUUID();
  const certAppId = randomUUID();
  const cfgFile = join(tmp, "gatehouse.yaml");
  writeFileSync(
    cfgFile,
    `tenants:
- domain: gatehouse.onmicrosoft.com
  applications:
  - appId: ${apiAppId}
    displayName: interop-api
    identifierUris: [api://interop-api]
    requestedAccessTokenVersion: 2
    appRoles:
    - value: Data.Read
      displayName: Data.Read
      allowedMemberTypes: [Application]
      isEnabled: true
  - appId: ${certAppId}
    displayName: interop-node-cert-app
    certificates:
    - file: ${certFile}
    appRoleAssignments: ["api://interop-api/Data.Read"]
`,
  );

  const data = join(tmp, "data");
  server = await startServer(bin, data, ["--config", cfgFile]);
  log(`gatehouse listening at ${server.url}`);
  const caFile = join(data, "tls", "ca.pem");
  const demo = JSON.parse(readFileSync(join(data, "demo.json"), "utf8"));
  const admin = JSON.parse(readFileSync(join(data, "admin.json"), "utf8"));
  const fixture = {
    url: server.url,
    tenant: demo.tenant,
    caFile,
    secretApp: { clientId: demo.clientId, clientSecret: demo.clientSecret },
    certApp: { clientId: certAppId, pemFile: clientPemFile },
    api: { appId: apiAppId, identifierUri: "api://interop-api", role: "Data.Read" },
    admin: { clientId: admin.clientId, clientSecret: admin.clientSecret },
  };
  const fixtureFile = join(tmp, "fixture.json");
  writeFileSync(fixtureFile, JSON.stringify(fixture, null, 2), { mode: 0o600 });

  const env = { ...process.env, NODE_EXTRA_CA_CERTS: caFile, GATEHOUSE_INTEROP_FIXTURE: fixtureFile };
  delete env.AZURE_AUTHORITY_HOST; // the tests set authorityHost explicitly
  const code = await runTests(here, env);

  return stopServer(server, code, log);
}

await runWrapper("interop-node", tmp, () => server, main);

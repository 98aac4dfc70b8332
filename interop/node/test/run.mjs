// `npm test`: build gatehouse (or take GATEHOUSE_BIN), start it on a free
// loopback port with a configuration that declares a certificate app and a
// v2 API, then run `node --test` in a child process with NODE_EXTRA_CA_CERTS
// pointing at the server's CA (Node reads that variable only at start-up,
// so it cannot be set from inside the test process). Finally stop the
// server with SIGTERM and require a clean exit.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { randomUUID, generateKeyPairSync, sign, randomBytes, X509Certificate } from "node:crypto";
import { createInterface } from "node:readline";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "..", "..", "..");
const tmp = mkdtempSync(join(tmpdir(), "gatehouse-interop-node-"));
let server;

function log(...a) {
  console.log("[interop-node]", ...a);
}

function buildBinary() {
  if (process.env.GATEHOUSE_BIN) return resolve(process.env.GATEHOUSE_BIN);
  const out = join(tmp, "gatehouse");
  log(`go build -o ${out} ./cmd/gatehouse (in ${repoRoot})`);
  execFileSync("go", ["build", "-o", out, "./cmd/gatehouse"], { cwd: repoRoot, stdio: "inherit" });
  return out;
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

// Start `gatehouse serve --addr 127.0.0.1:0` and read the URL from its
// "gatehouse listening" log line.
function startServer(bin, data, cfgFile) {
  return new Promise((resolveStart, reject) => {
    const child = spawn(bin, ["serve", "--addr", "127.0.0.1:0", "--data", data, "--config", cfgFile], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const logs = [];
    child.stdout.on("data", (b) => logs.push(b.toString()));
    const exited = new Promise((r) => child.on("exit", (code, signal) => r({ code, signal })));
    let announced = false;
    createInterface({ input: child.stderr }).on("line", (line) => {
      logs.push(line + "\n");
      if (announced) return;
      try {
        const rec = JSON.parse(line);
        if (rec.msg === "gatehouse listening" && rec.url) {
          announced = true;
          resolveStart({ child, url: rec.url, exited, logs });
        }
      } catch {
        /* not JSON */
      }
    });
    exited.then(({ code, signal }) => {
      if (!announced) reject(new Error(`gatehouse exited during start-up (${code ?? signal}):\n${logs.join("")}`));
    });
    setTimeout(() => {
      if (!announced) {
        child.kill("SIGKILL");
        reject(new Error(`gatehouse did not announce its URL within 60s:\n${logs.join("")}`));
      }
    }, 60_000).unref();
  });
}

// The tests run in a child node with NODE_EXTRA_CA_CERTS; return its code.
function runTests(env) {
  const files = readdirSync(here)
    .filter((f) => f.endsWith(".test.mjs"))
    .sort()
    .map((f) => join(here, f));
  return new Promise((r) => {
    const child = spawn(process.execPath, ["--test", ...files], { stdio: "inherit", env });
    child.on("exit", (code, signal) => r(code ?? (signal ? 1 : 0)));
  });
}

async function main() {
  const bin = buildBinary();
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
  server = await startServer(bin, data, cfgFile);
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
  let code = await runTests(env);

  // The server must have survived the tests.
  const early = await Promise.race([server.exited, new Promise((r) => setImmediate(() => r(null)))]);
  if (early !== null) {
    console.error(`FAIL: gatehouse died during the tests (${early.code ?? early.signal}):\n${server.logs.join("")}`);
    return code || 1;
  }

  // Graceful shutdown: SIGTERM must end the server with status 0 promptly.
  const started = Date.now();
  server.child.kill("SIGTERM");
  const timeout = new Promise((r) => setTimeout(() => r(null), 10_000).unref());
  const res = await Promise.race([server.exited, timeout]);
  const took = Date.now() - started;
  if (res === null) {
    server.child.kill("SIGKILL");
    console.error(`FAIL: gatehouse did not exit within 10s of SIGTERM\n${server.logs.join("")}`);
    code = code || 1;
  } else if (res.code !== 0) {
    console.error(`FAIL: gatehouse exited with ${res.code ?? res.signal} after SIGTERM\n${server.logs.join("")}`);
    code = code || 1;
  } else if (took > 5000) {
    console.error(`FAIL: graceful shutdown took ${took} ms (want < 5 s)`);
    code = code || 1;
  } else {
    log(`graceful shutdown: exit 0 after SIGTERM in ${took} ms`);
  }
  const showLogs = process.env.GATEHOUSE_INTEROP_LOGS; // "1": on failure, "all": always
  if ((code !== 0 && showLogs) || showLogs === "all") console.error(server.logs.join(""));
  return code;
}

// Interrupted: take the server down with us.
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => {
    if (server) server.child.kill("SIGKILL");
    rmSync(tmp, { recursive: true, force: true });
    process.exit(130);
  });
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (err) {
  console.error("[interop-node] set-up failed:", err);
  if (server) server.child.kill("SIGKILL");
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(exitCode);

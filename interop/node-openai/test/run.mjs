// `npm test`: build gatehouse (or take GATEHOUSE_BIN), start it with a fresh
// data directory on a free loopback port (the URL comes from the
// "gatehouse listening" log line), then run `node --test` in a child process
// with NODE_EXTRA_CA_CERTS pointing at the server's CA: Node reads that
// variable only at start-up, so it is the wrapper's job, and it is the only
// trust setting the SDKs get. Finally stop the server with SIGTERM and
// require a clean exit.
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBinary, startServer, runTests, stopServer, runWrapper } from "../../harness/server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "..", "..", "..");
const tmp = mkdtempSync(join(tmpdir(), "gatehouse-node-openai-"));
let server;

function log(...a) {
  console.log("[node-openai]", ...a);
}

async function main() {
  const bin = buildBinary(repoRoot, tmp, log);
  const data = join(tmp, "data");
  server = await startServer(bin, data);
  log(`gatehouse listening at ${server.url}`);
  const caFile = join(data, "tls", "ca.pem");
  const demo = JSON.parse(readFileSync(join(data, "demo.json"), "utf8"));
  const admin = JSON.parse(readFileSync(join(data, "admin.json"), "utf8"));
  for (const [name, c] of [["demo.json", demo], ["admin.json", admin]]) {
    if (c.server !== server.url) throw new Error(`${name} server ${c.server}, want ${server.url}`);
  }
  const fixture = {
    url: server.url,
    tenant: demo.tenant,
    caFile,
    data,
    bin,
    demo: { clientId: demo.clientId, clientSecret: demo.clientSecret },
    admin: { clientId: admin.clientId, clientSecret: admin.clientSecret },
  };
  const fixtureFile = join(tmp, "fixture.json");
  writeFileSync(fixtureFile, JSON.stringify(fixture, null, 2), { mode: 0o600 });

  const env = { ...process.env, NODE_EXTRA_CA_CERTS: caFile, GATEHOUSE_INTEROP_FIXTURE: fixtureFile };
  for (const k of ["AZURE_AUTHORITY_HOST", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "OPENAI_API_VERSION", "OPENAI_BASE_URL"]) {
    delete env[k]; // the tests pass everything explicitly
  }
  const code = await runTests(here, env, ["--test-concurrency=1"]);

  return stopServer(server, code, log);
}

await runWrapper("node-openai", tmp, () => server, main);

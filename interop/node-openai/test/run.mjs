// `npm test`: build gatehouse (or take GATEHOUSE_BIN), start it with a fresh
// data directory on a free loopback port (the URL comes from the
// "gatehouse listening" log line), then run `node --test` in a child process
// with NODE_EXTRA_CA_CERTS pointing at the server's CA: Node reads that
// variable only at start-up, so it is the wrapper's job, and it is the only
// trust setting the SDKs get. Finally stop the server with SIGTERM and
// require a clean exit.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "..", "..", "..");
const tmp = mkdtempSync(join(tmpdir(), "gatehouse-node-openai-"));
let server;

function log(...a) {
  console.log("[node-openai]", ...a);
}

function buildBinary() {
  if (process.env.GATEHOUSE_BIN) return resolve(process.env.GATEHOUSE_BIN);
  const out = join(tmp, "gatehouse");
  log(`go build -o ${out} ./cmd/gatehouse (in ${repoRoot})`);
  execFileSync("go", ["build", "-o", out, "./cmd/gatehouse"], { cwd: repoRoot, stdio: "inherit" });
  return out;
}

// Start `gatehouse serve --addr 127.0.0.1:0 --data DIR` and read the URL
// from its "gatehouse listening" log line.
function startServer(bin, data) {
  return new Promise((resolveStart, reject) => {
    const child = spawn(bin, ["serve", "--addr", "127.0.0.1:0", "--data", data], { stdio: ["ignore", "pipe", "pipe"] });
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

function runTests(env) {
  const files = readdirSync(here)
    .filter((f) => f.endsWith(".test.mjs"))
    .sort()
    .map((f) => join(here, f));
  return new Promise((r) => {
    const child = spawn(process.execPath, ["--test", "--test-concurrency=1", ...files], { stdio: "inherit", env });
    child.on("exit", (code, signal) => r(code ?? (signal ? 1 : 0)));
  });
}

async function main() {
  const bin = buildBinary();
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
  let code = await runTests(env);

  const early = await Promise.race([server.exited, new Promise((r) => setImmediate(() => r(null)))]);
  if (early !== null) {
    console.error(`FAIL: gatehouse died during the tests (${early.code ?? early.signal}):\n${server.logs.join("")}`);
    return code || 1;
  }
  server.child.kill("SIGTERM");
  const timeout = new Promise((r) => setTimeout(() => r(null), 10_000).unref());
  const res = await Promise.race([server.exited, timeout]);
  if (res === null) {
    server.child.kill("SIGKILL");
    console.error(`FAIL: gatehouse did not exit within 10s of SIGTERM`);
    code = code || 1;
  } else if (res.code !== 0) {
    console.error(`FAIL: gatehouse exited with ${res.code ?? res.signal} after SIGTERM`);
    code = code || 1;
  }
  const showLogs = process.env.GATEHOUSE_INTEROP_LOGS; // "1": on failure, "all": always
  if ((code !== 0 && showLogs) || showLogs === "all") console.error(server.logs.join(""));
  return code;
}

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
  console.error("[node-openai] set-up failed:", err);
  if (server) server.child.kill("SIGKILL");
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(exitCode);

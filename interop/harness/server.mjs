// What the Node suites' `npm test` wrappers (interop/node, interop/node-openai)
// share: build or find the binary, start `gatehouse serve` on a free port,
// run `node --test` in a child with the environment it needs (Node reads
// NODE_EXTRA_CA_CERTS only at start-up), and stop the server, requiring a
// clean and prompt exit.
import { spawn, execFileSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

// buildBinary returns GATEHOUSE_BIN, or builds ./cmd/gatehouse of repoRoot into dir.
export function buildBinary(repoRoot, dir, log) {
  if (process.env.GATEHOUSE_BIN) return resolve(process.env.GATEHOUSE_BIN);
  const out = join(dir, "gatehouse");
  log(`go build -o ${out} ./cmd/gatehouse (in ${repoRoot})`);
  execFileSync("go", ["build", "-o", out, "./cmd/gatehouse"], { cwd: repoRoot, stdio: "inherit" });
  return out;
}

// startServer runs `gatehouse serve --addr 127.0.0.1:0 --data data [args…]`
// and resolves when its "gatehouse listening" log line gives the URL, with
// { child, url, exited, logs }.
export function startServer(bin, data, args = []) {
  return new Promise((resolveStart, reject) => {
    const child = spawn(bin, ["serve", "--addr", "127.0.0.1:0", "--data", data, ...args], { stdio: ["ignore", "pipe", "pipe"] });
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

// runTests runs every *.test.mjs in dir in a child node with env, and
// resolves with its exit code.
export function runTests(dir, env, nodeArgs = []) {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".test.mjs"))
    .sort()
    .map((f) => join(dir, f));
  return new Promise((r) => {
    const child = spawn(process.execPath, ["--test", ...nodeArgs, ...files], { stdio: "inherit", env });
    child.on("exit", (code, signal) => r(code ?? (signal ? 1 : 0)));
  });
}

// stopServer requires the server to have survived the tests and to exit
// with status 0 within 5 s of SIGTERM; it resolves with code, or 1 if
// either failed. GATEHOUSE_INTEROP_LOGS=1 prints the server's logs on
// failure, =all always.
export async function stopServer(server, code, log) {
  const early = await Promise.race([server.exited, new Promise((r) => setImmediate(() => r(null)))]);
  if (early !== null) {
    console.error(`FAIL: gatehouse died during the tests (${early.code ?? early.signal}):\n${server.logs.join("")}`);
    return code || 1;
  }
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
  const showLogs = process.env.GATEHOUSE_INTEROP_LOGS;
  if ((code !== 0 && showLogs) || showLogs === "all") console.error(server.logs.join(""));
  return code;
}

// runWrapper runs main (which resolves with the exit code) and exits with
// it; on a signal, or if main throws, the server (getServer()) is killed.
// tmp is removed either way.
export async function runWrapper(tag, tmp, getServer, main) {
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(sig, () => {
      getServer()?.child.kill("SIGKILL");
      cleanup();
      process.exit(130);
    });
  }
  let exitCode = 1;
  try {
    exitCode = await main();
  } catch (err) {
    console.error(`[${tag}] set-up failed:`, err);
    getServer()?.child.kill("SIGKILL");
  } finally {
    cleanup();
  }
  process.exit(exitCode);
}

// The `openai` package's AzureOpenAI client, unchanged, with an Entra token
// from @azure/identity's getBearerTokenProvider (or the account key).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { AzureOpenAI, AuthenticationError, RateLimitError } from "openai";
import { getBearerTokenProvider } from "@azure/identity";
import {
  fx,
  apiVersion,
  credential,
  demoCredential,
  demoEndpoint,
  createDeployment,
  accountKey,
  newApp,
  demoDeployment,
  deniedMessage,
} from "./lib.mjs";

const scope = "https://cognitiveservices.azure.com/.default";
let endpoint;

before(async () => {
  endpoint = await demoEndpoint();
});

/** AzureOpenAI for the demo account with an Entra token provider. */
function tokenClient(cred, extra = {}) {
  return new AzureOpenAI({ endpoint, apiVersion, azureADTokenProvider: getBearerTokenProvider(cred, scope), ...extra });
}

const messages = [{ role: "user", content: "Say hello to gatehouse." }];

test("chat completion with getBearerTokenProvider", async () => {
  const client = tokenClient(demoCredential());
  const { data, response } = await client.chat.completions
    .create({ model: demoDeployment, messages, max_tokens: 8 })
    .withResponse();
  const url = new URL(response.url);
  assert.equal(url.pathname, "/accounts/demo/openai/deployments/gpt-4o-mini/chat/completions");
  assert.equal(url.searchParams.get("api-version"), apiVersion);
  assert.equal(data.object, "chat.completion");
  assert.equal(data.choices.length, 1);
  assert.equal(data.choices[0].message.role, "assistant");
  assert.ok(data.choices[0].message.content.length > 0, "content");
  assert.ok(data.usage.completion_tokens > 0 && data.usage.completion_tokens <= 8, `usage ${JSON.stringify(data.usage)}`);
  for (const h of ["apim-request-id", "x-ratelimit-remaining-requests", "x-ratelimit-remaining-tokens"]) {
    assert.ok(response.headers.get(h), `header ${h}`);
  }
});

test("streaming chat completion: chunks arrive as they are generated", async () => {
  await createDeployment("node-slow-stream", 100, "simulator?ttft=50ms&per_token=100ms");
  const client = tokenClient(demoCredential());
  // Warm up (token, connection) so the measurement covers the stream only.
  await client.chat.completions.create({ model: demoDeployment, messages, max_tokens: 1 });
  const start = performance.now();
  const stream = await client.chat.completions.create({ model: "node-slow-stream", messages, max_tokens: 20, stream: true });
  let first = 0;
  let content = "";
  let pieces = 0;
  let finish = null;
  for await (const chunk of stream) {
    if (!first) first = performance.now() - start;
    assert.equal(chunk.object, "chat.completion.chunk");
    const c = chunk.choices[0];
    if (c?.delta?.content) {
      content += c.delta.content;
      pieces++;
    }
    if (c?.finish_reason) finish = c.finish_reason;
  }
  const total = performance.now() - start;
  console.log(`first chunk after ${first.toFixed(0)} ms, ${pieces} content chunks, done after ${total.toFixed(0)} ms`);
  assert.ok(pieces >= 10 && pieces <= 20, `${pieces} content chunks (max_tokens 20)`);
  assert.ok(content.length > 0 && finish, "content and a finish reason");
  assert.ok(total >= 1000, `the stream took ${total} ms; per_token=100ms was not applied`);
  assert.ok(first < total / 2, `first chunk after ${first} ms of ${total} ms: buffered`);
});

test("chat completion with the account key (api-key header)", async () => {
  const client = new AzureOpenAI({ endpoint, apiVersion, apiKey: await accountKey() });
  const out = await client.chat.completions.create({ model: demoDeployment, messages, max_tokens: 5 });
  assert.equal(out.choices.length, 1);
  assert.ok(out.choices[0].message.content.length > 0);
});

test("no role assignment: 401 PermissionDenied", async () => {
  const app = newApp("node-openai-no-role");
  const client = tokenClient(credential(app.appId, app.secret), { maxRetries: 0 });
  await assert.rejects(
    client.chat.completions.create({ model: demoDeployment, messages, max_tokens: 5 }),
    (err) => {
      assert.ok(err instanceof AuthenticationError, `${err?.constructor?.name}: ${err}`);
      assert.equal(err.status, 401);
      assert.equal(err.code, "PermissionDenied");
      assert.equal(err.error.message, deniedMessage(app.objectId.toLowerCase()));
      assert.ok(err.headers.get("apim-request-id"), "apim-request-id");
      return true;
    },
  );
});

test("over quota: the 7th quick request is 429 with retry headers", async () => {
  await createDeployment("node-tiny", 1); // 1,000 TPM, 6 RPM
  const cred = demoCredential();
  await cred.getToken(scope); // so the seven requests are quick
  const client = tokenClient(cred, { maxRetries: 0 }); // the SDK retries 429 by default
  let prev = Infinity;
  const start = performance.now();
  for (let i = 1; i <= 6; i++) {
    const { response } = await client.chat.completions
      .create({ model: "node-tiny", messages, max_tokens: 5 })
      .withResponse();
    const left = Number(response.headers.get("x-ratelimit-remaining-requests"));
    const slack = Math.floor((performance.now() - start) / 10_000); // one request refills every 10 s
    assert.ok(Number.isInteger(left) && left <= 6 - i + slack && left <= prev + slack, `request ${i}: remaining ${left}`);
    prev = left;
  }
  const took = performance.now() - start;
  assert.ok(took < 8000, `six small requests took ${took} ms; the 7th cannot be expected to be throttled`);
  await assert.rejects(client.chat.completions.create({ model: "node-tiny", messages, max_tokens: 5 }), (err) => {
    assert.ok(err instanceof RateLimitError, `${err?.constructor?.name}: ${err}`);
    assert.equal(err.status, 429);
    assert.equal(err.code, "429");
    const secs = Number(err.headers.get("retry-after"));
    const ms = Number(err.headers.get("retry-after-ms"));
    assert.ok(Number.isInteger(secs) && secs >= 1 && secs <= 10, `retry-after ${secs}`);
    assert.ok(Number.isInteger(ms) && ms >= 1 && ms <= 10001 && Math.abs(secs * 1000 - ms) <= 1001, `retry-after-ms ${ms}`);
    assert.equal(err.headers.get("x-ratelimit-remaining-requests"), "0");
    assert.match(err.headers.get("x-ratelimit-remaining-tokens") ?? "", /^\d+$/);
    assert.equal(
      err.error.message,
      `Requests to the ChatCompletions_Create Operation under Azure OpenAI API version ${apiVersion} have exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after ${secs} seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.`,
    );
    return true;
  });
});

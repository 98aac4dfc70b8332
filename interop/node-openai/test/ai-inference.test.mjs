// @azure-rest/ai-inference (Azure AI Model Inference, "Foundry Models"),
// unchanged: ModelClient on the account's "/models" endpoint with an
// @azure/identity TokenCredential, model chosen by name in the body.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import ModelClient, { isUnexpected } from "@azure-rest/ai-inference";
import { createSseStream } from "@azure/core-sse";
import {
  arm,
  accountId,
  assignRole,
  credential,
  demoCredential,
  demoDeployment,
  deniedMessage,
  demoPrincipalId,
  newApp,
  roles,
} from "./lib.mjs";

// The package's default scope is https://ml.azure.com/.default (serverless
// endpoints); for an Azure AI Services / Foundry resource, Microsoft's docs
// pass the Cognitive Services scope, or the AI one, in `credentials.scopes`.
const cognitiveScope = "https://cognitiveservices.azure.com/.default";
const aiScope = "https://ai.azure.com/.default";

let endpoint; // the account's "Azure AI Model Inference API" endpoint
let app; // holds Cognitive Services User on the account (MaaS data actions)

before(async () => {
  const acct = await arm("GET", `${await accountId()}?api-version=2025-06-01`);
  endpoint = acct.properties.endpoints["Azure AI Model Inference API"];
  assert.equal(endpoint, acct.properties.endpoint + "models");
  app = newApp("node-ai-inference");
  await assignRole(await accountId(), roles.cognitiveServicesUser, app.objectId);
});

const body = { model: demoDeployment, messages: [{ role: "user", content: "Say hello to gatehouse." }], max_tokens: 6 };

for (const scope of [cognitiveScope, aiScope]) {
  test(`chat completions with a token for ${scope}`, async () => {
    const client = ModelClient(endpoint, credential(app.appId, app.secret), { credentials: { scopes: [scope] } });
    const res = await client.path("/chat/completions").post({ body });
    assert.equal(isUnexpected(res), false, `${res.status} ${JSON.stringify(res.body)}`);
    assert.equal(res.status, "200");
    assert.equal(res.request.url.split("?")[0], endpoint + "/chat/completions");
    assert.equal(res.body.choices.length, 1);
    assert.equal(res.body.choices[0].message.role, "assistant");
    assert.ok(res.body.choices[0].message.content.length > 0, "content");
    assert.ok(res.body.usage.completion_tokens > 0 && res.body.usage.completion_tokens <= 6, JSON.stringify(res.body.usage));
  });
}

test("streaming chat completions (asNodeStream + @azure/core-sse)", async () => {
  const client = ModelClient(endpoint, credential(app.appId, app.secret), { credentials: { scopes: [cognitiveScope] } });
  const res = await client
    .path("/chat/completions")
    .post({ body: { ...body, stream: true } })
    .asNodeStream();
  assert.equal(res.status, "200");
  assert.ok(res.body, "a stream");
  let content = "";
  let done = false;
  let finish = null;
  for await (const event of createSseStream(res.body)) {
    if (event.data === "[DONE]") {
      done = true;
      break;
    }
    const chunk = JSON.parse(event.data);
    const c = chunk.choices[0];
    content += c?.delta?.content ?? "";
    finish = c?.finish_reason ?? finish;
  }
  assert.ok(done, "the stream ends with [DONE]");
  assert.ok(content.length > 0 && finish, `content ${JSON.stringify(content)}, finish ${finish}`);
});

test("Cognitive Services OpenAI User has no MaaS data action: 401 PermissionDenied", async () => {
  const client = ModelClient(endpoint, demoCredential(), { credentials: { scopes: [cognitiveScope] } });
  const res = await client.path("/chat/completions").post({ body });
  assert.equal(isUnexpected(res), true);
  assert.equal(res.status, "401");
  assert.equal(res.body.error.code, "PermissionDenied");
  assert.equal(
    res.body.error.message,
    deniedMessage(
      demoPrincipalId().toLowerCase(),
      "Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action",
      "POST /models/chat/completions",
    ),
  );
});

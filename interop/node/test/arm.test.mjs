// The ARM management API through the real management SDKs:
// @azure/arm-resources (resource groups) and @azure/arm-cognitiveservices
// (accounts, projects, deployments, keys), each pointed at gatehouse by its
// endpoint option alone, with tokens for https://management.azure.com from
// @azure/identity. The SDKs send their default api-versions.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { ClientSecretCredential } from "@azure/identity";
import { ResourceManagementClient } from "@azure/arm-resources";
import { CognitiveServicesManagementClient } from "@azure/arm-cognitiveservices";
import { fx, identityOptions } from "./lib.mjs";

const armScope = "https://management.azure.com/.default";
const suffix = randomUUID().slice(0, 8);
const rgName = `interop-node-${suffix}`;
const accountName = `interopnode${suffix}`;
const subDomain = `interop-node-${suffix}`;
const projectName = "interop-project";
const deploymentName = "gpt-4o-mini";

/** A pipeline policy that keeps each request's method, URL and status. */
function wire() {
  const seen = [];
  return {
    seen,
    policy: {
      position: "perCall",
      policy: {
        name: "interopWire",
        async sendRequest(req, next) {
          const res = await next(req);
          const bearer = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "")?.[1];
          const aud = bearer ? JSON.parse(Buffer.from(bearer.split(".")[1], "base64url").toString()).aud : undefined;
          seen.push({ method: req.method, url: new URL(req.url), status: res.status, aud });
          return res;
        },
      },
    },
  };
}

let cred, subscriptionId, resources, cognitive;
const rec = wire();

before(async () => {
  cred = new ClientSecretCredential(fx.tenant, fx.admin.clientId, fx.admin.clientSecret, identityOptions());
  // The default subscription, as the administrator sees it.
  const tok = await cred.getToken(armScope);
  const res = await fetch(`${fx.url}/subscriptions?api-version=2022-12-01`, {
    headers: { authorization: `Bearer ${tok.token}` },
  });
  const text = await res.text();
  assert.equal(res.status, 200, `GET /subscriptions: ${res.status} ${text}`);
  const subs = JSON.parse(text).value;
  assert.ok(subs.length > 0, "the administrator sees a subscription");
  subscriptionId = subs[0].subscriptionId;

  // @azure/arm-resources 8 (TypeSpec client): `endpoint`, and the scopes
  // under `credentials` (its default is already management.azure.com).
  resources = new ResourceManagementClient(cred, subscriptionId, {
    endpoint: fx.url,
    credentials: { scopes: [armScope] },
    additionalPolicies: [rec.policy],
  });
  // @azure/arm-cognitiveservices (AutoRest core-client): `endpoint`, and
  // `credentialScopes` (its default would be `${endpoint}/.default`).
  cognitive = new CognitiveServicesManagementClient(cred, subscriptionId, {
    endpoint: fx.url,
    credentialScopes: [armScope],
    additionalPolicies: [rec.policy],
  });
});

after(async () => {
  if (resources) await resources.resourceGroups.delete(rgName).catch(() => {});
});

describe("@azure/arm-resources resource groups", () => {
  it("createOrUpdate, get, checkExistence, list", async () => {
    assert.equal(await checkExistence(rgName), false);
    const rg = await resources.resourceGroups.createOrUpdate(rgName, { location: "eastus", tags: { suite: "interop-node" } });
    assert.equal(rg.id, `/subscriptions/${subscriptionId}/resourceGroups/${rgName}`);
    assert.equal(rg.name, rgName);
    assert.equal(rg.location, "eastus");
    assert.equal(rg.properties?.provisioningState, "Succeeded");
    const got = await resources.resourceGroups.get(rgName);
    assert.equal(got.id, rg.id);
    assert.deepEqual(got.tags, { suite: "interop-node" });
    const names = [];
    for await (const g of resources.resourceGroups.list()) names.push(g.name);
    assert.ok(names.includes(rgName), `list has ${rgName}: ${names}`);
  });

  it("checkExistence and delete (long-running) of another group", async () => {
    const name = `interop-node-del-${randomUUID().slice(0, 8)}`;
    await resources.resourceGroups.createOrUpdate(name, { location: "westeurope" });
    assert.equal(await checkExistence(name), true);
    await resources.resourceGroups.delete(name); // the poller, awaited until done
    assert.equal(await checkExistence(name), false);
    await assert.rejects(resources.resourceGroups.get(name), (err) => {
      assert.equal(err.statusCode, 404);
      assert.equal(err.code, "ResourceGroupNotFound");
      return true;
    });
  });
});

/** checkExistence, and on the wire: a HEAD answered 204 (true) or 404 (false). */
async function checkExistence(name) {
  const before = rec.seen.length;
  const { body } = await resources.resourceGroups.checkExistence(name);
  const head = rec.seen.slice(before).find((r) => r.method === "HEAD");
  assert.ok(head, "checkExistence sent a HEAD");
  assert.equal(head.status, body ? 204 : 404, `HEAD answered ${head.status}, SDK said ${body}`);
  return body;
}

describe("@azure/arm-cognitiveservices", () => {
  it("accounts.beginCreateAndWait: an AIServices account that allows projects", async () => {
    await resources.resourceGroups.createOrUpdate(rgName, { location: "eastus" });
    const acct = await cognitive.accounts.beginCreateAndWait(rgName, accountName, {
      kind: "AIServices",
      sku: { name: "S0" },
      location: "eastus",
      properties: { allowProjectManagement: true, customSubDomainName: subDomain },
    });
    assert.equal(acct.id, `/subscriptions/${subscriptionId}/resourceGroups/${rgName}/providers/Microsoft.CognitiveServices/accounts/${accountName}`);
    assert.equal(acct.name, accountName);
    assert.equal(acct.kind, "AIServices");
    assert.equal(acct.sku?.name, "S0");
    assert.equal(acct.properties?.provisioningState, "Succeeded");
    assert.equal(acct.properties?.customSubDomainName, subDomain);
    assert.equal(acct.properties?.allowProjectManagement, true);
    // The SDK sent its default api-version, and gatehouse took it.
    const put = rec.seen.find((r) => r.method === "PUT" && r.url.pathname.endsWith(`/accounts/${accountName}`));
    assert.ok(put, "the account PUT went through the pipeline");
    assert.equal(put.url.searchParams.get("api-version"), cognitive.apiVersion);
    assert.ok([200, 201].includes(put.status), `PUT answered ${put.status}`);
  });

  it("accounts.get has the endpoint", async () => {
    const acct = await cognitive.accounts.get(rgName, accountName);
    assert.equal(acct.name, accountName);
    assert.equal(typeof acct.properties?.endpoint, "string", `endpoint: ${JSON.stringify(acct.properties)}`);
    const endpoint = new URL(acct.properties.endpoint);
    assert.equal(endpoint.protocol, "https:");
    assert.ok(acct.properties.endpoint.startsWith(fx.url + "/"), `endpoint ${acct.properties.endpoint} is on ${fx.url}`);
    assert.ok(acct.properties.endpoint.includes(subDomain), `endpoint ${acct.properties.endpoint} names ${subDomain}`);
    assert.equal(acct.properties.disableLocalAuth, false);
    assert.ok(acct.systemData?.createdAt instanceof Date, "systemData.createdAt is a date");

    const inGroup = [];
    for await (const a of cognitive.accounts.listByResourceGroup(rgName)) inGroup.push(a.name);
    assert.deepEqual(inGroup, [accountName]);
  });

  it("projects.beginCreateAndWait", async () => {
    const project = await cognitive.projects.beginCreateAndWait(rgName, accountName, projectName, {
      location: "eastus",
      identity: { type: "SystemAssigned" },
      properties: { displayName: "Interop project", description: "made by the Node interop suite" },
    });
    assert.equal(project.name, `${accountName}/${projectName}`);
    assert.equal(project.id, `/subscriptions/${subscriptionId}/resourceGroups/${rgName}/providers/Microsoft.CognitiveServices/accounts/${accountName}/projects/${projectName}`);
    assert.equal(project.properties?.provisioningState, "Succeeded");
    assert.equal(project.properties?.displayName, "Interop project");
    assert.equal(project.identity?.type, "SystemAssigned");
    assert.match(project.identity?.principalId ?? "", /^[0-9a-f-]{36}$/, "a managed identity for the project");
    assert.equal(project.identity?.tenantId, fx.tenant);

    const got = await cognitive.projects.get(rgName, accountName, projectName);
    assert.equal(got.id, project.id);
    assert.equal(got.identity?.principalId, project.identity.principalId);
    const names = [];
    for await (const p of cognitive.projects.list(rgName, accountName)) names.push(p.name);
    assert.deepEqual(names, [`${accountName}/${projectName}`]);
  });

  it("deployments.beginCreateOrUpdateAndWait and list", async () => {
    const dep = await cognitive.deployments.beginCreateOrUpdateAndWait(rgName, accountName, deploymentName, {
      sku: { name: "Standard", capacity: 10 },
      properties: { model: { format: "OpenAI", name: "gpt-4o-mini", version: "2024-07-18" } },
    });
    assert.equal(dep.name, deploymentName);
    assert.equal(dep.id, `/subscriptions/${subscriptionId}/resourceGroups/${rgName}/providers/Microsoft.CognitiveServices/accounts/${accountName}/deployments/${deploymentName}`);
    assert.equal(dep.sku?.name, "Standard");
    assert.equal(dep.sku?.capacity, 10);
    assert.deepEqual(dep.properties?.model, { format: "OpenAI", name: "gpt-4o-mini", version: "2024-07-18" });
    assert.equal(dep.properties?.provisioningState, "Succeeded");

    const got = await cognitive.deployments.get(rgName, accountName, deploymentName);
    assert.equal(got.sku?.capacity, 10);
    const all = [];
    for await (const d of cognitive.deployments.list(rgName, accountName)) all.push(d);
    assert.deepEqual(
      all.map((d) => d.name),
      [deploymentName],
    );
    assert.equal(all[0].properties?.model?.name, "gpt-4o-mini");
  });

  it("accounts.listKeys and regenerateKey", async () => {
    const keys = await cognitive.accounts.listKeys(rgName, accountName);
    for (const k of [keys.key1, keys.key2]) {
      assert.equal(typeof k, "string");
      assert.equal(k.length, 32, `key ${k} has 32 characters`);
    }
    assert.notEqual(keys.key1, keys.key2);

    const after1 = await cognitive.accounts.regenerateKey(rgName, accountName, "Key1");
    assert.notEqual(after1.key1, keys.key1, "key1 changed");
    assert.equal(after1.key2, keys.key2, "key2 kept");
    assert.equal(after1.key1.length, 32);
    const after2 = await cognitive.accounts.regenerateKey(rgName, accountName, "Key2");
    assert.equal(after2.key1, after1.key1, "key1 kept");
    assert.notEqual(after2.key2, keys.key2, "key2 changed");
    assert.deepEqual(await cognitive.accounts.listKeys(rgName, accountName), { key1: after2.key1, key2: after2.key2 });
  });

  it("errors come back as RestError with ARM's code", async () => {
    await assert.rejects(cognitive.accounts.get(rgName, `missing${suffix}`), (err) => {
      assert.equal(err.name, "RestError");
      assert.equal(err.statusCode, 404);
      assert.equal(err.code, "ResourceNotFound");
      return true;
    });
    // The demo app holds no role on this group.
    const demo = new CognitiveServicesManagementClient(
      new ClientSecretCredential(fx.tenant, fx.secretApp.clientId, fx.secretApp.clientSecret, identityOptions()),
      subscriptionId,
      { endpoint: fx.url, credentialScopes: [armScope] },
    );
    await assert.rejects(demo.accounts.listKeys(rgName, accountName), (err) => {
      assert.equal(err.statusCode, 403);
      assert.equal(err.code, "AuthorizationFailed");
      assert.match(err.message, /Microsoft\.CognitiveServices\/accounts\/listKeys\/action/);
      return true;
    });
  });

  it("every request carried an ARM token and the SDKs' own api-versions", () => {
    assert.ok(rec.seen.length > 10, `${rec.seen.length} requests`);
    for (const r of rec.seen) {
      assert.equal(r.url.origin, fx.url, `${r.method} ${r.url} went to gatehouse`);
      assert.equal(r.aud, "https://management.azure.com", `${r.method} ${r.url.pathname}: token audience`);
      assert.ok(r.url.searchParams.get("api-version"), `${r.method} ${r.url.pathname} has an api-version`);
    }
    const versions = new Set(rec.seen.map((r) => `${r.url.pathname.includes("CognitiveServices") ? "cognitive" : "resources"} ${r.url.searchParams.get("api-version")}`));
    console.log(`# api-versions used: ${[...versions].sort().join(", ")}`);
  });
});

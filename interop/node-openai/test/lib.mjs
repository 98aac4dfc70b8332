// Shared helpers. The tests run in the child process that run.mjs started
// with NODE_EXTRA_CA_CERTS, so fetch, @azure/identity, openai and
// @azure-rest/ai-inference trust gatehouse's local CA without any option.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { ClientSecretCredential } from "@azure/identity";

const file = process.env.GATEHOUSE_INTEROP_FIXTURE;
if (!file) throw new Error("GATEHOUSE_INTEROP_FIXTURE is not set: run the suite with `npm test`");

/** The running server (see run.mjs). */
export const fx = JSON.parse(readFileSync(file, "utf8"));

/** The Azure OpenAI data-plane API version (GA). */
export const apiVersion = "2024-10-21";
const cogVersion = "2025-06-01";
const authVersion = "2022-04-01";

export const roles = {
  openAIUser: "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd", // Cognitive Services OpenAI User
  cognitiveServicesUser: "a97b65f3-24c7-4388-baec-2e87135dc908", // Cognitive Services User
};

export const demoDeployment = "gpt-4o-mini";

/** The data action and route Azure names when it denies chat completions. */
export const chatAction = "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action";
export const chatRoute = "POST /openai/deployments/{deployment-id}/chat/completions";

/** @azure/identity's ClientSecretCredential pointed at gatehouse. */
export function credential(clientId, clientSecret) {
  return new ClientSecretCredential(fx.tenant, clientId, clientSecret, {
    authorityHost: fx.url,
    disableInstanceDiscovery: true,
  });
}

export const demoCredential = () => credential(fx.demo.clientId, fx.demo.clientSecret);

let adminCred;
async function armToken() {
  adminCred ??= credential(fx.admin.clientId, fx.admin.clientSecret);
  const t = await adminCred.getToken("https://management.azure.com/.default");
  return t.token;
}

/** An ARM request as the administrator (Owner at "/"); requires 2xx. */
export async function arm(method, path, body) {
  const res = await fetch(fx.url + path, {
    method,
    headers: { authorization: `Bearer ${await armToken()}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

let subscription;
async function subscriptionId() {
  if (!subscription) {
    const subs = await arm("GET", "/subscriptions?api-version=2022-12-01");
    assert.ok(subs.value.length > 0, "the administrator sees a subscription");
    subscription = subs.value[0].subscriptionId;
  }
  return subscription;
}

/** ARM id of an account in the demo resource group. */
export async function accountId(name = "demo") {
  return `/subscriptions/${await subscriptionId()}/resourceGroups/demo/providers/Microsoft.CognitiveServices/accounts/${name}`;
}

/** The demo account's data-plane endpoint, as ARM reports it. */
export async function demoEndpoint() {
  const acct = await arm("GET", `${await accountId()}?api-version=${cogVersion}`);
  assert.equal(acct.properties.endpoint, `${fx.url}/accounts/demo/`);
  return acct.properties.endpoint;
}

/** Create (or replace) a simulator deployment of gpt-4o-mini on the demo account. */
export async function createDeployment(name, capacity, upstream = "simulator") {
  await arm("PUT", `${await accountId()}/deployments/${name}?api-version=${cogVersion}`, {
    sku: { name: "Standard", capacity },
    properties: { model: { format: "OpenAI", name: "gpt-4o-mini", version: "2024-07-18" }, upstream },
  });
}

/** key1 of the demo account. */
export async function accountKey() {
  const keys = await arm("POST", `${await accountId()}/listKeys?api-version=${cogVersion}`);
  assert.ok(keys.key1 && keys.key2 && keys.key1 !== keys.key2, "two distinct keys");
  return keys.key1;
}

/** Create a role assignment through ARM; returns its id. */
export async function assignRole(scope, roleGUID, principalId) {
  const id = `${scope}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`;
  await arm("PUT", `${id}?api-version=${authVersion}`, {
    properties: {
      roleDefinitionId: `/subscriptions/${await subscriptionId()}/providers/Microsoft.Authorization/roleDefinitions/${roleGUID}`,
      principalId,
      principalType: "ServicePrincipal",
    },
  });
  return id;
}

/** `gatehouse --data DIR args…` (the product's CLI), JSON output parsed. */
export function cli(...args) {
  const out = execFileSync(fx.bin, ["--data", fx.data, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return JSON.parse(out);
}

/** A fresh app registration with a secret and a service principal, no role. */
export function newApp(name) {
  const created = cli("ad", "sp", "create-for-rbac", "--name", name);
  const sp = cli("ad", "sp", "show", "--id", created.appId);
  assert.ok(created.appId && created.password && sp.id, `create-for-rbac ${name}`);
  return { appId: created.appId, secret: created.password, objectId: sp.id };
}

/** The object id of the demo app's service principal. */
export function demoPrincipalId() {
  return cli("ad", "sp", "show", "--id", fx.demo.clientId).id;
}

/** Azure's PermissionDenied message. */
export function deniedMessage(principal, action = chatAction, route = chatRoute) {
  return `The principal \`${principal}\` lacks the required data action \`${action}\` to perform \`${route}\` operation.`;
}

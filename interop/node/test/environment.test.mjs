// DefaultAzureCredential configured the way most applications are: AZURE_*
// variables, with AZURE_AUTHORITY_HOST naming gatehouse. This file runs in
// its own process (node --test isolates files), so changing process.env
// here affects nothing else. AZURE_TOKEN_CREDENTIALS=EnvironmentCredential
// keeps the chain from going on to managed identity, whose IMDS probe would
// leave the loopback.
import { describe, it, before, beforeEach } from "node:test";
import { DefaultAzureCredential } from "@azure/identity";
import { fx, verifyToken, servicePrincipalIds } from "./lib.mjs";

const scope = "https://cognitiveservices.azure.com/.default";
const aud = "https://cognitiveservices.azure.com";
const azureVars = [
  "AZURE_TENANT_ID",
  "AZURE_CLIENT_ID",
  "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_CERTIFICATE_PATH",
  "AZURE_CLIENT_CERTIFICATE_PASSWORD",
  "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN",
  "AZURE_USERNAME",
  "AZURE_PASSWORD",
  "AZURE_FEDERATED_TOKEN_FILE",
  "AZURE_AUTHORITY_HOST",
  "AZURE_TOKEN_CREDENTIALS",
];

let oids;
before(async () => {
  oids = await servicePrincipalIds();
});

describe("DefaultAzureCredential from AZURE_* variables", () => {
  beforeEach(() => {
    for (const k of azureVars) delete process.env[k];
    process.env.AZURE_TOKEN_CREDENTIALS = "EnvironmentCredential";
    process.env.AZURE_TENANT_ID = fx.tenant;
    process.env.AZURE_AUTHORITY_HOST = fx.url;
  });

  it("client secret", async () => {
    process.env.AZURE_CLIENT_ID = fx.secretApp.clientId;
    process.env.AZURE_CLIENT_SECRET = fx.secretApp.clientSecret;
    const cred = new DefaultAzureCredential({ disableInstanceDiscovery: true });
    const tok = await cred.getToken(scope);
    await verifyToken(tok.token, { aud, clientId: fx.secretApp.clientId, acr: "1", oid: oids.secret });
  });

  it("client certificate (PEM path, send chain, host with trailing slash)", async () => {
    process.env.AZURE_AUTHORITY_HOST = fx.url + "/";
    process.env.AZURE_CLIENT_ID = fx.certApp.clientId;
    process.env.AZURE_CLIENT_CERTIFICATE_PATH = fx.certApp.pemFile;
    process.env.AZURE_CLIENT_SEND_CERTIFICATE_CHAIN = "true";
    const cred = new DefaultAzureCredential({ disableInstanceDiscovery: true });
    const tok = await cred.getToken(scope);
    await verifyToken(tok.token, { aud, clientId: fx.certApp.clientId, acr: "2", oid: oids.cert });
  });
});

#!/usr/bin/env bash
# Drives the real Azure CLI (Debian's azure-cli 2.45 with MSAL Python 1.21)
# against a gatehouse built from this checkout: sign-in with a secret and
# with a certificate through the ADFS-style authority, resource groups,
# Cognitive Services accounts, keys, deployments and projects, role
# assignments (with Graph look-ups served by gatehouse), and an
# AuthorizationFailed for a principal without roles.
#
# Needs: az (apt-get install azure-cli), jq, openssl, curl, python3, go.
# Prints "azcli: N passed, M failed" and exits non-zero if anything failed.
# KEEP=1 keeps the work directory (server log, CLI config dirs) for
# inspection.
#
# How the CLI is pointed at gatehouse (see README.md beside this file):
#   export REQUESTS_CA_BUNDLE=<data>/tls/ca.pem AZURE_CONFIG_DIR=<dir>
#   az cloud register -n gatehouse --cloud-config '{"endpoints":{
#     "resourceManager":"https://HOST:PORT/",
#     "activeDirectory":"https://HOST:PORT/adfs",
#     "activeDirectoryResourceId":"https://management.core.windows.net/",
#     "activeDirectoryGraphResourceId":"https://graph.windows.net/",
#     "microsoftGraphResourceId":"https://HOST:PORT/"}}'
#   az cloud set -n gatehouse
#   az login --service-principal -u APPID --password=SECRET|-p PEM --tenant TENANT
#   (--password=: a generated secret may begin with "-", which az would
#   read as an option)
# jq filters are single-quoted on purpose: $x there are jq variables (--arg).
# shellcheck disable=SC2016
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

for tool in az jq openssl curl python3 go; do
  command -v "$tool" >/dev/null || { echo "azcli: $tool is not installed" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-azcli.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "${KEEP:-}" = 1 ]; then echo "azcli: work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

started=$(date +%s)
echo "== build gatehouse"
(cd "$root" && go build -o "$work/gatehouse" ./cmd/gatehouse)

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="https://127.0.0.1:$port"
data="$work/data"

# An application whose only credential is a certificate, declared in the
# start-up configuration. The CLI wants the private key and the
# certificate in one PEM file.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=gatehouse-azcli" \
  -keyout "$work/cert-key.pem" -out "$work/cert.pem" 2>/dev/null
cat "$work/cert-key.pem" "$work/cert.pem" >"$work/cert-login.pem"
cert_app="$(python3 -c 'import uuid; print(uuid.uuid4())')"
# And one with a secret and no role anywhere.
noroles_app="$(python3 -c 'import uuid; print(uuid.uuid4())')"
noroles_secret="$(python3 -c 'import secrets; print(secrets.token_urlsafe(30))')"
cat >"$work/gatehouse.yaml" <<EOF
tenants:
  - domain: gatehouse.onmicrosoft.com
    applications:
      - appId: $cert_app
        displayName: azcli-cert
        certificates:
          - displayName: azcli
            file: $work/cert.pem
      - appId: $noroles_app
        displayName: azcli-no-roles
        secrets:
          - displayName: azcli
            value: $noroles_secret
EOF

echo "== start gatehouse on $base"
"$work/gatehouse" --data "$data" serve --addr "127.0.0.1:$port" --config "$work/gatehouse.yaml" \
  --log-level warn >"$work/serve.out" 2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 1 120); do
  if [ -f "$data/tls/ca.pem" ] && curl -sf --cacert "$data/tls/ca.pem" "$base/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "azcli: gatehouse exited during start-up" >&2; cat "$work/serve.log" >&2; exit 1
  fi
  sleep 0.5
done
curl -sf --cacert "$data/tls/ca.pem" "$base/healthz" >/dev/null || { echo "azcli: gatehouse did not start" >&2; cat "$work/serve.log" >&2; exit 1; }

tenant="$(jq -r .tenant "$data/admin.json")"
admin_app="$(jq -r .clientId "$data/admin.json")"
admin_secret="$(jq -r .clientSecret "$data/admin.json")"
demo_app="$(jq -r .clientId "$data/demo.json")"
demo_secret="$(jq -r .clientSecret "$data/demo.json")"

export REQUESTS_CA_BUNDLE="$data/tls/ca.pem"
export AZURE_CORE_COLLECT_TELEMETRY=false AZURE_CORE_SURVEY_MESSAGE=false AZURE_CORE_NO_COLOR=true
export AZURE_CORE_OUTPUT=json AZURE_CORE_ONLY_SHOW_ERRORS=true
# Debian's azure-cli 2.45 role commands need this shim (see its docstring).
export PYTHONPATH="$here/pyshim${PYTHONPATH:+:$PYTHONPATH}"

passed=0
failed=0
OUT="" ERR="" RC=0 LAST=""

# az_as IDENTITY ARGS... runs az with that identity's config dir, keeping
# stdout in OUT, stderr in ERR and the exit code in RC.
az_as() {
  local who=$1
  shift
  LAST="az $*"
  set +e
  OUT="$(AZURE_CONFIG_DIR="$work/az-$who" az "$@" 2>"$work/stderr")"
  RC=$?
  set -e
  ERR="$(cat "$work/stderr")"
}

report_failure() {
  failed=$((failed + 1))
  {
    echo "FAIL - $1"
    echo "    command: $LAST"
    echo "    exit code: $RC"
    echo "    stdout:"
    printf '%s\n' "$OUT" | sed 's/^/      /'
    echo "    stderr:"
    printf '%s\n' "$ERR" | sed 's/^/      /'
  } >&2
}

# expect_ok DESC JQ-FILTER [JQ-ARGS...]: the last command succeeded and its
# JSON output satisfies the filter.
expect_ok() {
  local desc=$1 filter=$2
  shift 2
  if [ "$RC" -eq 0 ] && jq -e "$@" "$filter" >/dev/null 2>&1 <<<"$OUT"; then
    passed=$((passed + 1))
    echo "ok   - $desc"
  else
    report_failure "$desc (expected: $filter)"
  fi
}

# expect_success DESC: the last command succeeded (output not checked).
expect_success() {
  if [ "$RC" -eq 0 ]; then
    passed=$((passed + 1))
    echo "ok   - $1"
  else
    report_failure "$1"
  fi
}

# expect_error DESC REGEX: the last command failed with REGEX in its output.
expect_error() {
  if [ "$RC" -ne 0 ] && grep -Eq "$2" <<<"$OUT$ERR"; then
    passed=$((passed + 1))
    echo "ok   - $1"
  else
    report_failure "$1 (expected failure matching: $2)"
  fi
}

# jwt_claims TOKEN prints the token's payload as JSON.
jwt_claims() {
  python3 -c 'import base64, sys; p = sys.argv[1].split(".")[1]; print(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)).decode())' "$1"
}

cloud_config="$(jq -cn --arg b "$base" '{endpoints: {
  resourceManager: ($b + "/"),
  activeDirectory: ($b + "/adfs"),
  activeDirectoryResourceId: "https://management.core.windows.net/",
  activeDirectoryGraphResourceId: "https://graph.windows.net/",
  microsoftGraphResourceId: ($b + "/")}}')"

# setup_cloud IDENTITY registers and selects the gatehouse cloud.
setup_cloud() {
  az_as "$1" cloud register -n gatehouse --cloud-config "$cloud_config"
  expect_success "[$1] az cloud register -n gatehouse"
  az_as "$1" cloud set -n gatehouse
  expect_success "[$1] az cloud set -n gatehouse"
}

echo "== az $(az version --query '"azure-cli"' -o tsv 2>/dev/null) against $base"

# --- administrator: client secret -------------------------------------------
setup_cloud admin
az_as admin cloud show
expect_ok "cloud endpoints point at gatehouse (ADFS authority)" \
  '.endpoints.activeDirectory == ($b + "/adfs") and .endpoints.resourceManager == ($b + "/") and .endpoints.microsoftGraphResourceId == ($b + "/")' \
  --arg b "$base"

az_as admin login --service-principal -u "$admin_app" --password="$admin_secret" --tenant "$tenant"
expect_ok "az login --service-principal (secret) finds the default subscription" \
  'length == 1 and .[0].isDefault and .[0].tenantId == $t and .[0].name == "gatehouse" and .[0].state == "Enabled" and .[0].user.type == "servicePrincipal" and .[0].user.name == $a' \
  --arg t "$tenant" --arg a "$admin_app"
sub="$(jq -r '.[0].id // empty' <<<"$OUT")"

az_as admin account show
expect_ok "az account show" '.id == $s and .tenantId == $t' --arg s "$sub" --arg t "$tenant"

az_as admin account get-access-token
token="$(jq -r '.accessToken // empty' <<<"$OUT")"
OUT="$(jwt_claims "$token" 2>/dev/null || true)"
expect_ok "ARM token from the ADFS endpoint is a v1 token of the tenant" \
  '.iss == ("https://sts.windows.net/" + $t + "/") and .tid == $t and .ver == "1.0" and .aud == "https://management.core.windows.net/" and .appid == $a and .idtyp == "app"' \
  --arg t "$tenant" --arg a "$admin_app"

az_as admin account get-access-token --resource https://cognitiveservices.azure.com
token="$(jq -r '.accessToken // empty' <<<"$OUT")"
OUT="$(jwt_claims "$token" 2>/dev/null || true)"
expect_ok "az account get-access-token --resource https://cognitiveservices.azure.com" \
  '.aud == "https://cognitiveservices.azure.com" and .tid == $t' --arg t "$tenant"

# --- resource group, account, keys, deployment, project ---------------------
az_as admin group create -n rg1 -l eastus
expect_ok "az group create -n rg1 -l eastus" \
  '.id == ("/subscriptions/" + $s + "/resourceGroups/rg1") and .location == "eastus" and .properties.provisioningState == "Succeeded"' \
  --arg s "$sub"
rg_id="/subscriptions/$sub/resourceGroups/rg1"

az_as admin cognitiveservices account create -n acct1 -g rg1 --kind AIServices --sku S0 -l eastus --yes
acct_id="$rg_id/providers/Microsoft.CognitiveServices/accounts/acct1"
expect_ok "az cognitiveservices account create --kind AIServices --sku S0" \
  '.id == $id and .kind == "AIServices" and .sku.name == "S0" and .location == "eastus" and .properties.provisioningState == "Succeeded"' \
  --arg id "$acct_id"

az_as admin cognitiveservices account show -n acct1 -g rg1
expect_ok "az cognitiveservices account show" \
  '.id == $id and .name == "acct1" and (.properties.endpoint | length > 0) and .properties.customSubDomainName == "acct1"' \
  --arg id "$acct_id"

az_as admin cognitiveservices account keys list -n acct1 -g rg1
expect_ok "az cognitiveservices account keys list" \
  '(.key1 | length > 0) and (.key2 | length > 0) and .key1 != .key2'

az_as admin cognitiveservices account list -g rg1
expect_ok "az cognitiveservices account list -g rg1" 'map(.name) == ["acct1"]'

# --- look-ups: provider metadata, regions, resource lists, catalogs ---------
az_as admin provider show -n Microsoft.CognitiveServices
expect_ok "az provider show -n Microsoft.CognitiveServices (types and api-versions from the route table)" \
  '.registrationState == "Registered" and any(.resourceTypes[]; .resourceType == "accounts" and (.apiVersions | index("2025-06-01")) != null)'

# Without --api-version the CLI reads the provider metadata and takes the
# newest stable version of the account type.
az_as admin resource update --ids "$acct_id" --set properties.disableLocalAuth=true
expect_ok "az resource update --ids <account> --set properties.disableLocalAuth=true (no --api-version)" \
  '.properties.disableLocalAuth == true and .id == $id' --arg id "$acct_id"

# -g -n --resource-type: the CLI sends …/Microsoft.CognitiveServices//accounts/acct1.
az_as admin resource show -g rg1 -n acct1 --resource-type Microsoft.CognitiveServices/accounts
expect_ok "az resource show -g rg1 -n acct1 --resource-type Microsoft.CognitiveServices/accounts (empty path segment)" \
  '.id == $id and .properties.disableLocalAuth == true' --arg id "$acct_id"

az_as admin resource list -g rg1
expect_ok "az resource list -g rg1" 'map(.id) == [$id]' --arg id "$acct_id"

az_as admin resource list --resource-type Microsoft.CognitiveServices/accounts
expect_ok "az resource list --resource-type Microsoft.CognitiveServices/accounts" \
  'any(.id == $id) and all(.type == "Microsoft.CognitiveServices/accounts")' --arg id "$acct_id"

az_as admin account list-locations
expect_ok "az account list-locations" 'any(.name == "eastus" and .displayName == "East US" and .metadata.regionType == "Physical")'

az_as admin cognitiveservices account list-kinds
expect_ok "az cognitiveservices account list-kinds" '(index("OpenAI") != null) and (index("AIServices") != null)'

az_as admin cognitiveservices account list-skus --kind OpenAI --location eastus
expect_ok "az cognitiveservices account list-skus --kind OpenAI --location eastus" 'length > 0 and all(.kind == "OpenAI")'

az_as admin cognitiveservices account list-models -n acct1 -g rg1
expect_ok "az cognitiveservices account list-models -n acct1 -g rg1" 'any(.name == "gpt-4o-mini" and .format == "OpenAI")'

az_as admin cognitiveservices account list-deleted
expect_ok "az cognitiveservices account list-deleted (nothing is soft-deleted)" 'length == 0'

# 2.45 has no "az cognitiveservices model list"; this is what it calls.
az_as admin rest --method get --url "$base/subscriptions/$sub/providers/Microsoft.CognitiveServices/locations/eastus/models?api-version=2024-10-01"
expect_ok "GET …/locations/eastus/models (az cognitiveservices model list -l eastus)" \
  'any(.value[]; .model.name == "gpt-4o-mini" and .kind == "OpenAI")'

# 2.45 has no --allow-project-management; set it through the generic
# resource command.
az_as admin resource update --ids "$acct_id" --set properties.allowProjectManagement=true properties.disableLocalAuth=false
expect_ok "az resource update --set properties.allowProjectManagement=true" \
  '.properties.allowProjectManagement == true and .properties.disableLocalAuth == false and .id == $id' --arg id "$acct_id"

# 2.45 knows only scaleSettings (api-version 2022-12-01), not --sku-name.
az_as admin cognitiveservices account deployment create -g rg1 -n acct1 --deployment-name gpt-4o-mini \
  --model-name gpt-4o-mini --model-version 2024-07-18 --model-format OpenAI \
  --scale-settings-scale-type Standard --scale-settings-capacity 10
expect_ok "az cognitiveservices account deployment create (gpt-4o-mini, capacity 10)" \
  '.name == "gpt-4o-mini" and .properties.model.format == "OpenAI" and .properties.model.name == "gpt-4o-mini" and .properties.model.version == "2024-07-18" and .sku.name == "Standard" and .sku.capacity == 10 and .properties.provisioningState == "Succeeded"'

az_as admin cognitiveservices account deployment list -g rg1 -n acct1
expect_ok "az cognitiveservices account deployment list" \
  'length == 1 and .[0].name == "gpt-4o-mini" and .[0].properties.model.name == "gpt-4o-mini" and .[0].sku.capacity == 10'

az_as admin cognitiveservices account deployment show -g rg1 -n acct1 --deployment-name gpt-4o-mini
expect_ok "az cognitiveservices account deployment show" '.id == ($id + "/deployments/gpt-4o-mini")' --arg id "$acct_id"

project_id="$acct_id/projects/p1"
az_as admin rest --method put --url "$base$project_id?api-version=2025-06-01" --body '{"location":"eastus","properties":{}}'
expect_ok "az rest PUT …/accounts/acct1/projects/p1" \
  '.id == $id and .type == "Microsoft.CognitiveServices/accounts/projects" and .properties.provisioningState == "Succeeded"' \
  --arg id "$project_id"

az_as admin resource show --ids "$project_id"
expect_ok "az resource show --ids <project>" '.id == $id and .location == "eastus"' --arg id "$project_id"

# --- role assignments on the project, Graph look-ups through gatehouse ------
az_as admin ad sp show --id "$demo_app"
expect_ok "az ad sp show --id <demo appId> (Graph on gatehouse)" '.appId == $a and (.id | test("^[0-9a-f-]{36}$"))' --arg a "$demo_app"
demo_sp="$(jq -r '.id // empty' <<<"$OUT")"

ai_user=53ca6127-db72-4b80-b1b0-d745d6d5456d
az_as admin role assignment create --assignee-object-id "$demo_sp" --assignee-principal-type ServicePrincipal \
  --role "$ai_user" --scope "$project_id"
expect_ok "az role assignment create (Azure AI User on the project)" \
  '.principalId == $p and .principalType == "ServicePrincipal" and (.roleDefinitionId | ascii_downcase | endswith("/roledefinitions/" + $r)) and (.scope | ascii_downcase) == ($s | ascii_downcase)' \
  --arg p "$demo_sp" --arg r "$ai_user" --arg s "$project_id"
ra_id="$(jq -r '.id // empty' <<<"$OUT")"

az_as admin role assignment list --scope "$project_id"
expect_ok "az role assignment list --scope <project> shows it, names filled in from Graph" \
  'length == 1 and .[0].id == $id and .[0].principalId == $p and (.[0].roleDefinitionId | ascii_downcase | endswith("/roledefinitions/" + $r)) and .[0].roleDefinitionName == "Azure AI User" and .[0].principalName == $a' \
  --arg id "$ra_id" --arg p "$demo_sp" --arg r "$ai_user" --arg a "$demo_app"

az_as admin role assignment list --assignee "$demo_app" --all
expect_ok "az role assignment list --assignee <appId> --all has it (and only the demo app's)" \
  'any(.id == $id) and all(.principalId == $p)' --arg id "$ra_id" --arg p "$demo_sp"

# --- the demo app: with and without its role on the project ----------------
setup_cloud demo
az_as demo login --service-principal -u "$demo_app" --password="$demo_secret" --tenant "$tenant"
expect_ok "demo app signs in and sees the subscription its project role is in" \
  'length == 1 and .[0].id == $s and .[0].user.name == $a' --arg s "$sub" --arg a "$demo_app"

az_as demo rest --method get --url "$base$project_id?api-version=2025-06-01"
expect_ok "demo app reads the project through its role" '.id == $id' --arg id "$project_id"

az_as admin role assignment delete --ids "$ra_id"
expect_success "az role assignment delete --ids <id>"

az_as admin role assignment list --scope "$project_id"
expect_ok "az role assignment list --scope <project> after delete: gone" 'length == 0'

az_as demo group create -n rg2 -l eastus
expect_error "demo app without its project role: az group create fails with AuthorizationFailed" \
  "AuthorizationFailed.*'$demo_app'.*Microsoft.Resources/subscriptions/resourceGroups/write"

az_as demo rest --method get --url "$base$project_id?api-version=2025-06-01"
expect_error "demo app without its project role: reading the project fails with AuthorizationFailed" "AuthorizationFailed"

# An application with no role anywhere sees no subscription; signed in
# tenant-level it still cannot create anything.
setup_cloud noroles
az_as noroles login --service-principal -u "$noroles_app" --password="$noroles_secret" --tenant "$tenant"
expect_error "app without roles: az login finds no subscription" "No subscriptions found for $noroles_app"

az_as noroles login --service-principal -u "$noroles_app" --password="$noroles_secret" --tenant "$tenant" --allow-no-subscriptions
expect_ok "app without roles: az login --allow-no-subscriptions (tenant-level account)" \
  'length == 1 and .[0].tenantId == $t and .[0].user.name == $a' --arg t "$tenant" --arg a "$noroles_app"

# A tenant-level account's "subscription" is the tenant id, which is no
# subscription: ARM answers that before it authorizes anything, as Azure.
az_as noroles group create -n rg3 -l eastus
expect_error "app without roles: az group create fails with SubscriptionNotFound (a tenant-level account)" \
  "SubscriptionNotFound.*$tenant"

# By name: the CLI resolves the appId and the role name itself.
az_as admin role assignment create --assignee "$demo_app" --role "Azure AI User" --scope "$project_id"
expect_ok "az role assignment create --assignee <appId> --role 'Azure AI User'" \
  '.principalId == $p and (.roleDefinitionId | ascii_downcase | endswith($r))' --arg p "$demo_sp" --arg r "$ai_user"

az_as admin role assignment delete --assignee "$demo_app" --role "Azure AI User" --scope "$project_id"
expect_success "az role assignment delete --assignee --role --scope"

az_as admin role assignment list --scope "$project_id"
expect_ok "… and it is gone" 'length == 0'

# --- az ad sp create-for-rbac: Graph (apps, secrets, SPs) + ARM -------------
az_as admin ad sp create-for-rbac --name azcli-rbac --role Reader --scopes "$rg_id"
expect_ok "az ad sp create-for-rbac --role Reader --scopes <rg1>" \
  '(.appId | test("^[0-9a-f-]{36}$")) and (.password | length > 0) and .tenant == $t and .displayName == "azcli-rbac"' \
  --arg t "$tenant"
rbac_app="$(jq -r '.appId // empty' <<<"$OUT")"
rbac_secret="$(jq -r '.password // empty' <<<"$OUT")"

setup_cloud rbac
az_as rbac login --service-principal -u "$rbac_app" --password="$rbac_secret" --tenant "$tenant"
expect_ok "the new service principal signs in with its generated secret" \
  'length == 1 and .[0].id == $s and .[0].user.name == $a' --arg s "$sub" --arg a "$rbac_app"

az_as rbac group show -n rg1
expect_ok "… and reads rg1 through its Reader assignment" '.id == $id' --arg id "$rg_id"

# --- certificate credential -------------------------------------------------
az_as admin role assignment create --assignee "$cert_app" --role Reader --scope "$rg_id"
expect_ok "az role assignment create (Reader on rg1 for the certificate app)" '.principalType == "ServicePrincipal"'

setup_cloud cert
az_as cert login --service-principal -u "$cert_app" -p "$work/cert-login.pem" --tenant "$tenant"
expect_ok "az login --service-principal with a certificate (RS256 + x5t assertion, aud = ADFS token endpoint)" \
  'length == 1 and .[0].id == $s and .[0].user.name == $a' --arg s "$sub" --arg a "$cert_app"

az_as cert account get-access-token
token="$(jq -r '.accessToken // empty' <<<"$OUT")"
OUT="$(jwt_claims "$token" 2>/dev/null || true)"
expect_ok "certificate sign-in gives a v1 ARM token with appidacr 2" \
  '.iss == ("https://sts.windows.net/" + $t + "/") and .appid == $a and .appidacr == "2"' --arg t "$tenant" --arg a "$cert_app"

az_as cert group list
expect_ok "certificate app (Reader on rg1): az group list" 'map(.name) == ["rg1"]'

az_as cert cognitiveservices account show -n acct1 -g rg1
expect_ok "certificate app (Reader on rg1): az cognitiveservices account show" '.id == $id' --arg id "$acct_id"

# Reading role definitions needs no role assignment (as in Azure).
az_as cert role definition list --name Reader
expect_ok "certificate app (Reader on rg1 only): az role definition list --name Reader" \
  'length == 1 and .[0].roleName == "Reader"'

az_as cert cognitiveservices account keys list -n acct1 -g rg1
expect_error "certificate app (Reader): keys list fails with AuthorizationFailed" \
  "AuthorizationFailed.*Microsoft.CognitiveServices/accounts/listKeys/action"

# --- clean-up through the CLI -----------------------------------------------
az_as admin cognitiveservices account deployment delete -g rg1 -n acct1 --deployment-name gpt-4o-mini
expect_success "az cognitiveservices account deployment delete"

az_as admin group delete -n rg1 --yes
expect_success "az group delete -n rg1 --yes"

az_as admin group exists -n rg1
expect_ok "az group exists -n rg1 is false after delete" '. == false'

echo "== $(($(date +%s) - started)) s"
echo "azcli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

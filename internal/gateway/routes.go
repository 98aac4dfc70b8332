// Package gateway is the Azure OpenAI / Foundry data plane: it authenticates
// callers (Entra tokens or account keys), authorizes each route's data
// action with the RBAC engine at the deployment's scope, applies the
// deployment's quota and forwards to the deployment's upstream, streaming.
package gateway

import (
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/fold"
)

// Data actions, with Azure's names.
const (
	actChat        = "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action"
	actCompletions = "Microsoft.CognitiveServices/accounts/OpenAI/deployments/completions/action"
	actEmbeddings  = "Microsoft.CognitiveServices/accounts/OpenAI/deployments/embeddings/action"
	actResponses   = "Microsoft.CognitiveServices/accounts/OpenAI/responses/write"
	actDeployRead  = "Microsoft.CognitiveServices/accounts/OpenAI/deployments/read"
	actModelsRead  = "Microsoft.CognitiveServices/accounts/OpenAI/models/read"
	actProjectAPI  = "Microsoft.CognitiveServices/accounts/AIServices/agents/write"
	actMaaSChat    = "Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action"
	actMaaSEmbed   = "Microsoft.CognitiveServices/accounts/MaaS/embeddings/action"
)

// Operation is what an upstream is asked to do.
type Operation string

const (
	OpChat        Operation = "chat/completions"
	OpCompletions Operation = "completions"
	OpEmbeddings  Operation = "embeddings"
	OpResponses   Operation = "responses"
	OpModels      Operation = "models"
	OpDeployments Operation = "deployments" // answered by the gateway itself
	OpModelInfo   Operation = "info"        // answered by the gateway itself
)

// deploymentFrom says where a route finds its deployment.
type deploymentFrom int

const (
	fromNone deploymentFrom = iota // account-level route
	fromPath                       // /openai/deployments/{deployment}/…
	fromBody                       // the body's "model" (v1 and Foundry models surfaces)
	// fromBodyOrOnly is the body's "model", else the account's only
	// deployment: a serverless endpoint serves one model, and the guides
	// that call it send no "model".
	fromBodyOrOnly
)

// Route is one data-plane route. Template is the route as Azure names it in
// its PermissionDenied message.
type Route struct {
	Method     string
	Template   string
	Op         Operation
	Action     string
	Deployment deploymentFrom
	APIVersion bool   // api-version query parameter required
	Project    bool   // under /api/projects/{project}: decided at the project scope
	OpName     string // Azure's operation id, used in quota messages
}

// Routes is the table from route to data action. It is documented in
// docs/gateway.md; keep the two in step.
var Routes = []Route{
	{"POST", "/openai/deployments/{deployment-id}/chat/completions", OpChat, actChat, fromPath, true, false, "ChatCompletions_Create"},
	{"POST", "/openai/deployments/{deployment-id}/completions", OpCompletions, actCompletions, fromPath, true, false, "Completions_Create"},
	{"POST", "/openai/deployments/{deployment-id}/embeddings", OpEmbeddings, actEmbeddings, fromPath, true, false, "Embeddings_Create"},
	{"GET", "/openai/deployments", OpDeployments, actDeployRead, fromNone, true, false, "Deployments_List"},
	{"GET", "/openai/models", OpModels, actModelsRead, fromNone, true, false, "Models_List"},
	{"POST", "/openai/v1/chat/completions", OpChat, actChat, fromBody, false, false, "ChatCompletions_Create"},
	{"POST", "/openai/v1/completions", OpCompletions, actCompletions, fromBody, false, false, "Completions_Create"},
	{"POST", "/openai/v1/embeddings", OpEmbeddings, actEmbeddings, fromBody, false, false, "Embeddings_Create"},
	{"POST", "/openai/v1/responses", OpResponses, actResponses, fromBody, false, false, "Responses_Create"},
	{"GET", "/openai/v1/models", OpModels, actModelsRead, fromNone, false, false, "Models_List"},
	{"POST", "/models/chat/completions", OpChat, actMaaSChat, fromBody, false, false, "ChatCompletions_Create"},
	{"POST", "/models/embeddings", OpEmbeddings, actMaaSEmbed, fromBody, false, false, "Embeddings_Create"},
	{"GET", "/models/info", OpModelInfo, actModelsRead, fromNone, false, false, "Models_Info"},
	// Foundry Models serverless endpoints ({workspace}.models.ai.azure.com)
	// as the client-credentials guides call them, and their short forms.
	{"POST", "/inference/v1/chat/completions", OpChat, actMaaSChat, fromBodyOrOnly, false, false, "ChatCompletions_Create"},
	{"POST", "/v1/chat/completions", OpChat, actMaaSChat, fromBodyOrOnly, false, false, "ChatCompletions_Create"},
	{"POST", "/chat/completions", OpChat, actMaaSChat, fromBodyOrOnly, false, false, "ChatCompletions_Create"},
	{"POST", "/api/projects/{projectName}/openai/deployments/{deployment-id}/chat/completions", OpChat, actChat, fromPath, true, true, "ChatCompletions_Create"},
	{"POST", "/api/projects/{projectName}/openai/deployments/{deployment-id}/embeddings", OpEmbeddings, actEmbeddings, fromPath, true, true, "Embeddings_Create"},
	{"POST", "/api/projects/{projectName}/openai/v1/chat/completions", OpChat, actProjectAPI, fromBody, false, true, "ChatCompletions_Create"},
	{"POST", "/api/projects/{projectName}/openai/v1/embeddings", OpEmbeddings, actProjectAPI, fromBody, false, true, "Embeddings_Create"},
	{"POST", "/api/projects/{projectName}/openai/v1/responses", OpResponses, actProjectAPI, fromBody, false, true, "Responses_Create"},
	{"POST", "/api/projects/{projectName}/openai/responses", OpResponses, actProjectAPI, fromBody, true, true, "Responses_Create"},
}

// templates are the routes' templates split into segments, once.
var templates = func() [][]string {
	out := make([][]string, len(Routes))
	for i, r := range Routes {
		out[i] = strings.Split(strings.Trim(r.Template, "/"), "/")
	}
	return out
}()

// routeLabels are "METHOD template", built once: they label metrics and
// audit records on every request.
var routeLabels = func() map[*Route]string {
	m := make(map[*Route]string, len(Routes))
	for i := range Routes {
		m[&Routes[i]] = Routes[i].Method + " " + Routes[i].Template
	}
	return m
}()

func (r *Route) label() string { return routeLabels[r] }

// match finds the route for method and path (the path after the account
// prefix), with the deployment and project names it contains.
func match(method, path string) (r *Route, deployment, project string, ok bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := range Routes {
		rt := &Routes[i]
		if rt.Method != method && !(rt.Method == http.MethodGet && method == http.MethodHead) {
			continue
		}
		tpl := templates[i]
		if len(tpl) != len(segs) {
			continue
		}
		dep, proj, hit := "", "", true
		for j, t := range tpl {
			switch t {
			case "{deployment-id}":
				dep = segs[j]
			case "{projectName}":
				proj = segs[j]
			default:
				hit = hit && fold.Equal(t, segs[j])
			}
		}
		if hit && (dep != "" || rt.Deployment != fromPath) && (proj != "" || !rt.Project) {
			return rt, dep, proj, true
		}
	}
	return nil, "", "", false
}

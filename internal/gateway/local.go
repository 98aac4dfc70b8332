package gateway

import (
	"context"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/arm"
	"github.com/gatehouse/gatehouse/internal/upstream"
)

// upstreamOf reads a deployment's upstream (the simulator by default).
func upstreamOf(d *arm.Resource) (*upstream.Config, error) {
	return upstream.Parse(d.Properties["upstream"])
}

// modelOf is the model a deployment serves.
func modelOf(d *arm.Resource) (name, version, format string) {
	m, _ := d.Properties["model"].(map[string]any)
	name, _ = m["name"].(string)
	version, _ = m["version"].(string)
	format, _ = m["format"].(string)
	return
}

// upstreamModel is the model name sent upstream.
func upstreamModel(cfg *upstream.Config, d *arm.Resource) string {
	if cfg.Model != "" {
		return cfg.Model
	}
	name, _, _ := modelOf(d)
	return name
}

// listDeployments serves GET /openai/deployments in the data plane's shape.
func (s *Service) listDeployments(ctx context.Context, w http.ResponseWriter, rq *request) (int, error) {
	ds, err := arm.Deployments(ctx, s.st, rq.account)
	if err != nil {
		return 0, err
	}
	out := make([]map[string]any, 0, len(ds))
	for _, d := range ds {
		name, _, _ := modelOf(d)
		created := time.Now().Unix()
		if d.SystemData != nil {
			created = d.SystemData.CreatedAt.Unix()
		}
		out = append(out, map[string]any{"id": d.Name, "model": name, "owner": "organization-owner", "object": "deployment",
			"status": "succeeded", "created_at": created, "updated_at": created,
			"scale_settings": map[string]any{"scale_type": "standard"}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": out, "object": "list"})
	return http.StatusOK, nil
}

// listModels serves GET /openai/models and /openai/v1/models: the models
// the account's deployments serve, in OpenAI's list shape (the v1 surface
// addresses deployments by name, so their names are listed too).
func (s *Service) listModels(ctx context.Context, w http.ResponseWriter, rq *request) (int, error) {
	ds, err := arm.Deployments(ctx, s.st, rq.account)
	if err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	out := []map[string]any{}
	add := func(id string, created int64) {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, map[string]any{"id": id, "object": "model", "created": created, "owned_by": "system",
				"capabilities":     map[string]any{"chat_completion": true, "completion": true, "embeddings": true},
				"lifecycle_status": "generally-available", "status": "succeeded"})
		}
	}
	for _, d := range ds {
		name, _, _ := modelOf(d)
		created := int64(0)
		if d.SystemData != nil {
			created = d.SystemData.CreatedAt.Unix()
		}
		add(name, created)
		add(d.Name, created)
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": out})
	return http.StatusOK, nil
}

// modelInfo serves GET /models/info (Azure AI Model Inference): the model
// behind the deployment named by ?model= (or the only deployment).
func (s *Service) modelInfo(w http.ResponseWriter, rq *request) (int, error) {
	ds, err := arm.Deployments(rq.r.Context(), s.st, rq.account)
	if err != nil {
		return 0, err
	}
	want := rq.r.URL.Query().Get("model")
	for _, d := range ds {
		if want == "" || d.Name == want {
			name, _, format := modelOf(d)
			writeJSON(w, http.StatusOK, map[string]any{"model_name": name, "model_type": "chat-completion", "model_provider_name": format})
			return http.StatusOK, nil
		}
	}
	return 0, errDeploymentNotFound()
}

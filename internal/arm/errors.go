// Package arm serves an Azure Resource Manager-compatible management API:
// the resource hierarchy, Microsoft.CognitiveServices resources and
// Microsoft.Authorization (role definitions, role and deny assignments),
// every call authorized by the RBAC engine.
package arm

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/authfail"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Error is an ARM error: {"error":{"code","message",…}}.
type Error struct {
	Status         int              `json:"-"`
	Code           string           `json:"code"`
	Message        string           `json:"message"`
	AdditionalInfo []AdditionalInfo `json:"additionalInfo,omitempty"`
	header         map[string]string
}

// AdditionalInfo is ARM's extension point in errors; gatehouse puts its
// access advice here, where clients that parse code/message ignore it.
type AdditionalInfo struct {
	Type string `json:"type"`
	Info any    `json:"info"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func armErr(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func errBadRequest(code, format string, args ...any) *Error {
	return armErr(400, code, format, args...)
}

func errNotFoundResource(typ, name, rg string) *Error {
	if rg == "" {
		return armErr(404, "ResourceNotFound", "The Resource '%s/%s' was not found.", typ, name)
	}
	return armErr(404, "ResourceNotFound", "The Resource '%s/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", typ, name, rg)
}

func errResourceGroupNotFound(rg string) *Error {
	return armErr(404, "ResourceGroupNotFound", "Resource group '%s' could not be found.", rg)
}

func errSubscriptionNotFound(sub string) *Error {
	return armErr(404, "SubscriptionNotFound", "The subscription '%s' could not be found.", sub)
}

func errInvalidRequestContent(msg string) *Error {
	return armErr(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: '%s'.", msg)
}

type errorBody struct {
	Error *Error `json:"error"`
}

// asARMError maps domain errors to ARM errors in one place.
func asARMError(err error) *Error {
	var ae *Error
	var inv *directory.InvalidError
	var af *authfail.Failure
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &af):
		return authError(af)
	case errors.As(err, &inv):
		return errBadRequest("InvalidRequestContent", "%s", inv.Msg)
	case errors.Is(err, store.ErrNotFound):
		return armErr(404, "NotFound", "The requested resource was not found.")
	case errors.Is(err, store.ErrConflict):
		return armErr(409, "Conflict", "The request conflicts with an existing resource.")
	}
	return nil
}

func (s *Service) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ae := asARMError(err)
	if ae == nil {
		s.log.ErrorContext(r.Context(), "arm failure", "path", r.URL.Path, "err", err)
		ae = armErr(500, "InternalServerError", "The server encountered an internal error; please retry the request.")
	}
	for k, v := range ae.header {
		w.Header().Set(k, v)
	}
	writeJSON(w, ae.Status, errorBody{Error: ae})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

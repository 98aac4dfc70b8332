package gateway

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/authfail"
)

// Error is a data-plane error. Azure's data plane has several shapes; Body
// is exactly what Azure sends for the case.
type Error struct {
	Status int
	Body   any
	Header map[string]string
}

func (e *Error) Error() string { return http.StatusText(e.Status) }

type errorEnvelope struct {
	Error errorObject `json:"error"`
}

type errorObject struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Gatehouse is gatehouse's addition (an extra field clients that parse
	// Azure's shape ignore): why access was denied and how to fix it.
	Gatehouse any `json:"gatehouse,omitempty"`
}

func azErr(status int, code, msg string) *Error {
	return &Error{Status: status, Body: errorEnvelope{errorObject{Code: code, Message: msg}}}
}

// errBearer is Azure's answer to a missing, invalid, expired or
// wrong-audience token: a flat body, not the usual envelope.
func errBearer(audience string) *Error {
	return &Error{Status: 401, Body: map[string]any{"statusCode": 401,
		"message": "Unauthorized. Access token is missing, invalid, audience is incorrect (" + audience + "), or have expired."},
		Header: map[string]string{"WWW-Authenticate": `Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"`}}
}

func errBadKey() *Error {
	return azErr(401, "401", "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.")
}

func errKeyDisabled() *Error {
	return azErr(403, "AuthenticationTypeDisabled", "Key based authentication is disabled for this resource.")
}

func errNotFound() *Error { return azErr(404, "404", "Resource not found") }

func errDeploymentNotFound() *Error {
	return azErr(404, "DeploymentNotFound", "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.")
}

func errBadRequest(msg string) *Error { return azErr(400, "BadRequest", msg) }

// openAIEnvelope is the shape Azure OpenAI answers a bad request parameter
// with (the model service's own, passed through by Azure):
// {"error":{"message","type","param","code"}}, param and code null when
// they do not apply.
type openAIEnvelope struct {
	Error openAIError `json:"error"`
}

type openAIError struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

// errParam is a 400 about one request parameter.
func errParam(param, code, msg string) *Error {
	return &Error{Status: 400, Body: openAIEnvelope{openAIError{Message: msg, Type: "invalid_request_error",
		Param: nullable(param), Code: nullable(code)}}}
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// authError is Azure's answer to a refused authentication, with
// gatehouse's explanation in its header; Azure's body is unchanged.
func authError(f *authfail.Failure) *Error {
	var e *Error
	switch f.Kind {
	case authfail.BadKey:
		e = errBadKey()
	case authfail.KeyDisabled:
		e = errKeyDisabled()
	default:
		e = errBearer(defaultAudiences[0])
	}
	if e.Header == nil {
		e.Header = map[string]string{}
	}
	e.Header[authfail.Header] = f.Reason
	return e
}

// writeError renders err, in one place, and returns its status.
func (s *Service) writeError(w http.ResponseWriter, r *http.Request, err error) int {
	var e *Error
	if f, ok := authfail.As(err); ok {
		e = authError(f)
	} else if !errors.As(err, &e) {
		s.log.ErrorContext(r.Context(), "gateway failure", "path", r.URL.Path, "err", err)
		e = azErr(500, "InternalServerError", "The server had an error while processing your request. Sorry about that!")
	}
	for k, v := range e.Header {
		w.Header().Set(k, v)
	}
	writeJSON(w, e.Status, e.Body)
	return e.Status
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

package graph

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/authfail"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Error is a Graph error: {"error":{"code","message","innerError"}}.
type Error struct {
	Status  int
	Code    string
	Message string
	// Explain, on a refused authentication, is gatehouse's reason and fix,
	// sent in the authfail.Header beside Graph's unchanged body.
	Explain string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errNotFound(id string) *Error {
	return &Error{Status: 404, Code: "Request_ResourceNotFound", Message: "Resource '" + id + "' does not exist or one of its queried reference-property objects are not present."}
}

func errBadRequest(msg string) *Error {
	return &Error{Status: 400, Code: "Request_BadRequest", Message: msg}
}

// unauthorized is Graph's 401 for a refused authentication, in Graph's
// words, with gatehouse's explanation beside it.
func unauthorized(f *authfail.Failure) *Error {
	msg := "Access token validation failure."
	switch f.Kind {
	case authfail.Missing:
		msg = "Access token is empty."
	case authfail.Audience, authfail.BadHeader:
		msg = "Access token validation failure. Invalid audience."
	case authfail.Expired:
		msg = "Lifetime validation failed, the token is expired."
	}
	return &Error{Status: 401, Code: "InvalidAuthenticationToken", Message: msg, Explain: f.Reason}
}

func errForbidden() *Error {
	return &Error{Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation."}
}

type innerError struct {
	Date            string `json:"date"`
	RequestID       string `json:"request-id"`
	ClientRequestID string `json:"client-request-id"`
}

type errorBody struct {
	Error struct {
		Code       string     `json:"code"`
		Message    string     `json:"message"`
		InnerError innerError `json:"innerError"`
	} `json:"error"`
}

// asGraphError maps domain errors to Graph errors in one place.
func asGraphError(err error, id string) *Error {
	var ge *Error
	var inv *directory.InvalidError
	var conf *directory.ConflictError
	switch {
	case errors.As(err, &ge):
		return ge
	case errors.As(err, &inv):
		return errBadRequest(inv.Msg)
	case errors.As(err, &conf):
		return errBadRequest(conf.Msg)
	case errors.Is(err, store.ErrNotFound):
		return errNotFound(id)
	case errors.Is(err, store.ErrConflict):
		return errBadRequest("Another object with the same value for a unique property already exists.")
	}
	return nil
}

func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error, id string) {
	ge := asGraphError(err, id)
	if ge == nil {
		log.ErrorContext(r.Context(), "graph failure", "path", r.URL.Path, "err", err)
		ge = &Error{Status: 503, Code: "serviceNotAvailable", Message: "The service is temporarily unavailable. Please retry."}
	}
	var body errorBody
	body.Error.Code, body.Error.Message = ge.Code, ge.Message
	reqID := uuid.NewString()
	body.Error.InnerError = innerError{Date: time.Now().UTC().Format("2006-01-02T15:04:05"), RequestID: reqID,
		ClientRequestID: r.Header.Get("client-request-id")}
	w.Header().Set("request-id", reqID)
	if ge.Explain != "" {
		w.Header().Set(authfail.Header, ge.Explain)
	}
	writeJSON(w, ge.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

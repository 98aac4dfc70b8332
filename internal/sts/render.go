package sts

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// errorBody is Entra's error response.
type errorBody struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	ErrorCodes    []int  `json:"error_codes"`
	Timestamp     string `json:"timestamp"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
	ErrorURI      string `json:"error_uri"`
	Suberror      string `json:"suberror,omitempty"`
}

// correlationID echoes the client's client-request-id, as Entra does.
func correlationID(r *http.Request) string {
	if id, err := uuid.Parse(r.Header.Get("client-request-id")); err == nil {
		return id.String()
	}
	return uuid.NewString()
}

// writeError renders any error in Entra's shape. Errors that are not
// protocol errors are logged and shown as a transient failure, never with
// their internal text.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var e *Error
	if !errors.As(err, &e) {
		log.ErrorContext(r.Context(), "token service failure", "path", r.URL.Path, "err", err)
		e = errTemporarilyUnavailable()
	}
	now := time.Now().UTC()
	ts := now.Format("2006-01-02 15:04:05Z")
	trace, corr := uuid.NewString(), correlationID(r)
	body := errorBody{Error: e.Err, ErrorCodes: []int{e.Code}, Timestamp: ts, TraceID: trace,
		CorrelationID: corr, Suberror: e.Suberror,
		ErrorURI: "https://login.microsoftonline.com/error?code=" + strconv.Itoa(e.Code),
		Description: "AADSTS" + strconv.Itoa(e.Code) + ": " + e.Desc + "\r\nTrace ID: " + trace +
			"\r\nCorrelation ID: " + corr + "\r\nTimestamp: " + ts}
	h := w.Header()
	h.Set("client-request-id", corr)
	h.Set("x-ms-request-id", trace)
	writeJSON(w, e.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store, no-cache")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

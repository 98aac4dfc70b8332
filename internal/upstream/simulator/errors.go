package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// apiError is an error answered in OpenAI's shape:
// {"error":{"message","type","param","code"}}.
type apiError struct {
	status  int
	message string
	typ     string
	param   string // "" is sent as null
	code    string // "" is sent as null
}

func (e *apiError) Error() string { return e.message }

func (e *apiError) write(w http.ResponseWriter) {
	b := make([]byte, 0, 128+len(e.message))
	b = append(b, `{"error":{`...)
	b = appendStrField(b, "message", e.message)
	b = appendStrField(b, "type", e.typ)
	b = appendNullableField(b, "param", e.param)
	b = appendNullableField(b, "code", e.code)
	b = append(b, "}}\n"...)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	_, _ = w.Write(b)
}

func appendNullableField(b []byte, key, val string) []byte {
	if val == "" {
		return appendRawField(b, key, "null")
	}
	return appendStrField(b, key, val)
}

func invalid(param, code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, message: fmt.Sprintf(format, args...),
		typ: "invalid_request_error", param: param, code: code}
}

func missing(param string) *apiError {
	return invalid(param, "missing_required_parameter", "Missing required parameter: '%s'.", param)
}

func invalidType(param, want string) *apiError {
	return invalid(param, "invalid_type", "Invalid type for '%s': expected %s.", param, want)
}

func belowMin(param string, got, minimum int) *apiError {
	return invalid(param, "integer_below_min_value",
		"Invalid '%s': integer below minimum value. Expected a value >= %d, but got %d instead.", param, minimum, got)
}

func aboveMax(param string, got, maximum int) *apiError {
	return invalid(param, "integer_above_max_value",
		"Invalid '%s': integer above maximum value. Expected a value <= %d, but got %d instead.", param, maximum, got)
}

// decodeError maps a JSON or body-size failure to OpenAI's answer.
func decodeError(err error) *apiError {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &apiError{status: http.StatusRequestEntityTooLarge, typ: "invalid_request_error",
			code:    "request_too_large",
			message: "Request body too large: the limit is " + strconv.FormatInt(tooBig.Limit, 10) + " bytes."}
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return invalid(typeErr.Field, "invalid_type", "Invalid type for '%s': expected %s, but got %s instead.",
			typeErr.Field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	}
	return invalid("", "", "We could not parse the JSON body of your request. (HINT: This likely means you "+
		"aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was "+
		"not valid JSON.)")
}

// jsonKind names a Go kind the way OpenAI's messages name JSON types.
func jsonKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"):
		return "an integer"
	case strings.HasPrefix(k, "float"):
		return "a decimal"
	case k == "string":
		return "a string"
	case k == "bool":
		return "a boolean"
	case k == "slice", k == "array":
		return "an array"
	}
	return "an object"
}

func notFound(method, path string) *apiError {
	return &apiError{status: http.StatusNotFound, typ: "invalid_request_error",
		message: fmt.Sprintf("Invalid URL (%s %s)", method, path)}
}

func modelNotFound(id string) *apiError {
	return &apiError{status: http.StatusNotFound, typ: "invalid_request_error", param: "model",
		code: "model_not_found", message: fmt.Sprintf("The model '%s' does not exist", id)}
}

func methodNotAllowed(method, path string) *apiError {
	return &apiError{status: http.StatusMethodNotAllowed, typ: "invalid_request_error",
		message: fmt.Sprintf("Method %s is not allowed for %s", method, path)}
}

// errTokenizer answers when an encoding fails to load: a build defect, not
// a property of the request.
func errTokenizer(err error) *apiError {
	return &apiError{status: http.StatusInternalServerError, typ: "server_error", message: err.Error()}
}

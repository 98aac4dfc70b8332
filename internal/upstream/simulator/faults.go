package simulator

import (
	"net/http"
	"strings"
	"time"
)

// fault is a simulated upstream failure.
type fault int

const (
	faultNone fault = iota
	fault429
	fault500
	fault503
	faultTimeout
)

// HeaderError is the request header that asks for a fault.
const HeaderError = "x-simulator-error"

// modelErrorSuffix precedes the fault name at the end of a model name.
const modelErrorSuffix = "-error-"

func parseFault(s string) (fault, bool) {
	switch s {
	case "429":
		return fault429, true
	case "500":
		return fault500, true
	case "503":
		return fault503, true
	case "timeout":
		return faultTimeout, true
	}
	return faultNone, false
}

// headerFault reads x-simulator-error; an unknown value is a 400 so a typo
// in a test doesn't silently pass as success.
func headerFault(r *http.Request) (fault, *apiError) {
	v := r.Header.Get(HeaderError)
	if v == "" {
		return faultNone, nil
	}
	f, ok := parseFault(strings.ToLower(strings.TrimSpace(v)))
	if !ok {
		return faultNone, invalid("", "invalid_value",
			"Invalid %s header %q: want 429, 500, 503 or timeout.", HeaderError, v)
	}
	return f, nil
}

// modelFault recognises names such as "gpt-4o-mini-error-503".
func modelFault(model string) fault {
	i := strings.LastIndex(model, modelErrorSuffix)
	if i < 0 {
		return faultNone
	}
	f, _ := parseFault(model[i+len(modelErrorSuffix):])
	return f
}

// rateFault draws the next slot of the ErrorRate sequence: slot k fails
// when hash(Seed, k) < ErrorRate, with 429, 500 or 503 in equal shares.
func (s *Simulator) rateFault() fault {
	if s.opts.ErrorRate <= 0 {
		return faultNone
	}
	k := s.requests.Add(1) - 1
	x := mix(s.opts.Seed ^ mix(k))
	if float64(x>>11)/(1<<53) >= s.opts.ErrorRate {
		return faultNone
	}
	return [...]fault{fault429, fault500, fault503}[mix(x)%3]
}

// answerFault writes the fault's response (or stalls, for a timeout).
func (s *Simulator) answerFault(w http.ResponseWriter, r *http.Request, f fault) {
	var e *apiError
	switch f {
	case fault429:
		// retry-after is OpenAI's header; Azure clients prefer retry-after-ms.
		w.Header().Set("retry-after", "1")
		w.Header().Set("retry-after-ms", "1000")
		e = &apiError{status: http.StatusTooManyRequests, typ: "requests", code: "rate_limit_exceeded",
			message: "Rate limit reached for requests (simulated). Please try again in 1s."}
	case fault500:
		e = &apiError{status: http.StatusInternalServerError, typ: "server_error",
			message: "The server had an error while processing your request. Sorry about that! (simulated)"}
	case fault503:
		e = &apiError{status: http.StatusServiceUnavailable, typ: "server_error", code: "service_unavailable",
			message: "The engine is currently overloaded, please try again later. (simulated)"}
	case faultTimeout:
		t := time.NewTimer(s.opts.Hang)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			return // the caller gave up: nobody to answer
		case <-t.C:
		}
		e = &apiError{status: http.StatusGatewayTimeout, typ: "timeout", code: "timeout",
			message: "The request timed out (simulated)."}
	default:
		return
	}
	e.write(w)
}

// Package sts is gatehouse's Entra ID token service: discovery documents,
// keys and the token endpoints with their grants.
package sts

import "fmt"

// Error is an Entra protocol error. Desc is the text after "AADSTSnnnn: ";
// it is shown to the client, so it never carries internal detail.
type Error struct {
	Status   int
	Err      string // the OAuth "error" value
	Code     int    // the AADSTS number
	Desc     string
	Suberror string
}

func (e *Error) Error() string { return fmt.Sprintf("AADSTS%d: %s", e.Code, e.Desc) }

func newErr(status int, errValue string, code int, format string, args ...any) *Error {
	return &Error{Status: status, Err: errValue, Code: code, Desc: fmt.Sprintf(format, args...)}
}

const tenantHelp = "Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."

func errTenantNotFound(t string) *Error {
	return newErr(400, "invalid_tenant", 90002, "Tenant '%s' not found. %s", t, tenantHelp)
}

func errMissingParam(name string) *Error {
	return newErr(400, "invalid_request", 900144, "The request body must contain the following parameter: '%s'.", name)
}

func errMissingCredential() *Error {
	return newErr(401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
}

func errInvalidInput(why string) *Error {
	return newErr(400, "invalid_request", 90013, "Invalid input received from the user. %s", why)
}

func errUnsupportedGrant(gt string) *Error {
	return newErr(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '%s'.", gt)
}

func errAppNotFound(appID, tenant string) *Error {
	return newErr(400, "unauthorized_client", 700016, "Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", appID, tenant)
}

func errMissingSP(appID, tid string) *Error {
	return newErr(401, "invalid_client", 7000229, "The client application %s is missing service principal in the tenant %s. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119", appID, tid)
}

func errAppDisabled(appID, name string) *Error {
	return newErr(400, "unauthorized_client", 7000112, "Application '%s'(%s) is disabled.", appID, name)
}

func errWrongSecret(appID string) *Error {
	return newErr(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", appID)
}

func errExpiredSecret(appID string) *Error {
	return newErr(401, "invalid_client", 7000222, "The provided client secret keys for app '%s' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.", appID)
}

func errResourceNotFound(resource, tenant string) *Error {
	return newErr(400, "invalid_resource", 500011, "The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", resource, tenant)
}

func errBadScope(scope string) *Error {
	return newErr(400, "invalid_scope", 70011, "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope %s is not valid.", scope)
}

func errOIDCOnlyScope(scope string) *Error {
	return newErr(400, "invalid_scope", 1002012, "The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope)
}

func errMultipleResources(scope string) *Error {
	return newErr(400, "invalid_scope", 28000, "Provided value for the input parameter scope '%s' is not valid because it contains more than one resource. Scope %s is not valid.", scope, scope)
}

func errAssertionSignature() *Error {
	return newErr(401, "invalid_client", 700027, "Client assertion failed signature validation.")
}

func errAssertionKeyNotFound(appID, thumbprint string) *Error {
	return newErr(401, "invalid_client", 700027, "The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '%s', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '%s'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/%s']", thumbprint, appID, appID)
}

func errAssertionTime(now, nbf, exp string) *Error {
	return newErr(401, "invalid_client", 700024, "Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, expiry time of assertion %s. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .", now, nbf, exp)
}

func errAssertionClaims(why string) *Error {
	return newErr(401, "invalid_client", 50012, "Client assertion contains invalid claims. %s", why)
}

// errAssertionReplayed: Entra documents no code for a reused client
// assertion; this is its code for client-assertion claims it refuses.
func errAssertionReplayed() *Error {
	return errAssertionClaims("The assertion has already been used: its jti was seen before. Sign a new assertion, with a new jti, for each request.")
}

func errMethod(method string) *Error {
	return newErr(400, "invalid_request", 900561, "The endpoint only accepts POST requests. Received a %s request.", method)
}

func errTemporarilyUnavailable() *Error {
	return newErr(503, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again.")
}

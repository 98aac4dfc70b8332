package directory

// MicrosoftTenantID owns Microsoft's first-party applications.
const MicrosoftTenantID = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"

// Well-known first-party resource applications every tenant has.
const (
	CognitiveServicesAppID = "7d312290-28c8-473c-a0ed-8e53749b6d6d"
	// AIAppID stands for the resource behind https://ai.azure.com and
	// https://ml.azure.com (the default scope of @azure-rest/ai-inference).
	// Azure's appId for ai.azure.com is not confirmed by a primary source.
	AIAppID    = "18a66f5f-dbdf-4c17-9dd7-1634712a9cbe"
	ARMAppID   = "797f4846-ba00-4fd7-ba43-dac1f8f63013"
	GraphAppID = "00000003-0000-0000-c000-000000000000"
)

// Microsoft Graph application permissions (app roles) gatehouse enforces on
// its Graph-shaped API. IDs are Graph's real ones.
const (
	GraphDirectoryReadWriteAll   = "19dbc75e-c2e2-444c-a770-ec69d8559fc7"
	GraphDirectoryReadAll        = "7ab1d382-f21e-4acd-a863-ba3e13f7da61"
	GraphApplicationReadWriteAll = "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9"
	GraphUserReadWriteAll        = "741f803b-c850-494e-b5df-cde7c675a1ca"
	GraphGroupReadWriteAll       = "62a82d76-70ea-41e2-9197-370581804d09"
)

// WellKnownResource describes a first-party resource service principal.
type WellKnownResource struct {
	AppID        string
	DisplayName  string
	Names        []string // identifier URIs
	TokenVersion int
	AppRoles     []AppRole
}

func graphRole(id, value string) AppRole {
	return AppRole{ID: id, Value: value, DisplayName: value, IsEnabled: true,
		AllowedMemberTypes: []string{"Application"}}
}

// WellKnownResources are provisioned in every tenant.
var WellKnownResources = []WellKnownResource{
	{AppID: CognitiveServicesAppID, DisplayName: "Azure Cognitive Services",
		Names: []string{"https://cognitiveservices.azure.com"}, TokenVersion: 1},
	{AppID: AIAppID, DisplayName: "Azure AI Foundry",
		Names: []string{"https://ai.azure.com", "https://ml.azure.com"}, TokenVersion: 1},
	{AppID: ARMAppID, DisplayName: "Windows Azure Service Management API",
		Names: []string{"https://management.azure.com/", "https://management.core.windows.net/"}, TokenVersion: 1},
	{AppID: GraphAppID, DisplayName: "Microsoft Graph",
		Names: []string{"https://graph.microsoft.com", "https://graph.microsoft.us"}, TokenVersion: 1,
		AppRoles: []AppRole{
			graphRole(GraphDirectoryReadWriteAll, "Directory.ReadWrite.All"),
			graphRole(GraphDirectoryReadAll, "Directory.Read.All"),
			graphRole(GraphApplicationReadWriteAll, "Application.ReadWrite.All"),
			graphRole(GraphUserReadWriteAll, "User.ReadWrite.All"),
			graphRole(GraphGroupReadWriteAll, "Group.ReadWrite.All"),
		}},
}

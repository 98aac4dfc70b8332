package arm

import (
	"net/http"
	"strings"
)

// metadata serves /metadata/endpoints: the cloud document the Azure CLI and
// SDKs read to find the authority and audiences. Anonymous, as in Azure.
// api-version 2015-01-01 gets the legacy single object; newer versions an
// array of clouds.
func (s *Service) metadata(w http.ResponseWriter, r *http.Request) {
	base := baseURL(r) + "/"
	auth := map[string]any{"loginEndpoint": base, "audiences": []string{"https://management.core.windows.net/", "https://management.azure.com/"},
		"tenant": "common", "identityProvider": "AAD"}
	if v := r.URL.Query().Get("api-version"); v == "" || strings.HasPrefix(v, "2015") || strings.HasPrefix(v, "2018") {
		writeJSON(w, http.StatusOK, map[string]any{"galleryEndpoint": base, "graphEndpoint": base,
			"portalEndpoint": base, "authentication": auth})
		return
	}
	writeJSON(w, http.StatusOK, []map[string]any{{"name": "gatehouse", "portal": base, "resourceManager": base,
		"authentication": auth, "graph": base, "graphAudience": "https://graph.windows.net/",
		"microsoftGraphResourceId": "https://graph.microsoft.com/", "activeDirectoryDataLake": "",
		"suffixes": map[string]any{"keyVaultDns": "vault.azure.net", "storage": "core.windows.net", "acrLoginServer": "azurecr.io"}}})
}

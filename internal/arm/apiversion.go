package arm

import (
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/fold"
)

// API versions each provider answers to; a request with another gets ARM's
// error listing these. Lists follow the public REST specs.
var (
	versionsResources = []string{"2014-04-01", "2015-01-01", "2015-11-01", "2016-02-01", "2016-06-01", "2016-07-01",
		"2016-09-01", "2017-05-10", "2018-02-01", "2018-05-01", "2019-03-01", "2019-05-01", "2019-05-10",
		"2019-06-01", "2019-07-01", "2019-08-01", "2019-10-01", "2019-11-01", "2020-01-01", "2020-06-01",
		"2020-08-01", "2020-10-01", "2021-01-01", "2021-04-01", "2022-01-01", "2022-09-01", "2022-12-01",
		"2023-07-01", "2024-03-01", "2024-07-01", "2024-11-01", "2025-03-01", "2025-04-01"}
	versionsManagement = []string{"2020-02-01", "2020-05-01", "2020-10-01", "2021-04-01", "2022-04-01",
		"2023-04-01", "2024-02-01-preview"}
	versionsAuthorization = []string{"2015-07-01", "2017-05-01", "2018-01-01-preview", "2018-07-01",
		"2018-07-01-preview", "2018-09-01-preview", "2019-04-01-preview", "2020-03-01-preview",
		"2020-04-01-preview", "2020-08-01-preview", "2020-10-01", "2020-10-01-preview", "2021-03-01-preview",
		"2022-01-01-preview", "2022-04-01", "2022-05-01-preview"}
	versionsCognitive = []string{"2016-02-01-preview", "2017-04-18", "2021-04-30", "2021-10-01",
		"2022-03-01", "2022-10-01", "2022-12-01", "2023-05-01", "2023-10-01-preview", "2024-04-01-preview",
		"2024-06-01-preview", "2024-10-01", "2025-04-01-preview", "2025-06-01", "2025-07-01-preview",
		"2025-09-01", "2025-10-01-preview", "2026-01-01-preview"}
)

func checkVersion(allowed []string, v, typ string) error {
	if slices.Contains(allowed, fold.String(v)) {
		return nil
	}
	_, rest, _ := strings.Cut(typ, "/")
	return errBadRequest("NoRegisteredProviderFound",
		"No registered resource provider found for location 'global' and API version '%s' for type '%s'. The supported api-versions are '%s'.",
		v, rest, strings.Join(allowed, ", "))
}

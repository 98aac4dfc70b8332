package arm

// The regions gatehouse names: GET /subscriptions/{s}/locations (what "az
// account list-locations" reads) and the locations of the regional
// provider types. A small fixed list: gatehouse runs everything in one
// process, so a region is only a label Azure clients expect to find.

const typeLocations = "Microsoft.Resources/subscriptions/locations"

type region struct {
	Name, DisplayName, Geography, Physical, Latitude, Longitude, Paired string
}

var regions = []region{
	{"eastus", "East US", "US", "Virginia", "37.3719", "-79.8164", "westus"},
	{"eastus2", "East US 2", "US", "Virginia", "36.6681", "-78.3889", "centralus"},
	{"centralus", "Central US", "US", "Iowa", "41.5908", "-93.6208", "eastus2"},
	{"northcentralus", "North Central US", "US", "Illinois", "41.8819", "-87.6278", "southcentralus"},
	{"southcentralus", "South Central US", "US", "Texas", "29.4167", "-98.5", "northcentralus"},
	{"westus", "West US", "US", "California", "37.783", "-122.417", "eastus"},
	{"westus3", "West US 3", "US", "Phoenix", "33.448376", "-112.074036", "eastus"},
	{"canadaeast", "Canada East", "Canada", "Quebec", "46.817", "-71.217", "canadacentral"},
	{"northeurope", "North Europe", "Europe", "Ireland", "53.3478", "-6.2597", "westeurope"},
	{"westeurope", "West Europe", "Europe", "Netherlands", "52.3667", "4.9", "northeurope"},
	{"francecentral", "France Central", "Europe", "Paris", "46.3772", "2.3730", "francesouth"},
	{"swedencentral", "Sweden Central", "Europe", "Gävle", "60.67488", "17.14127", "swedensouth"},
	{"uksouth", "UK South", "Europe", "London", "50.941", "-0.799", "ukwest"},
	{"japaneast", "Japan East", "Asia Pacific", "Tokyo, Saitama", "35.68", "139.77", "japanwest"},
	{"australiaeast", "Australia East", "Asia Pacific", "New South Wales", "-33.86", "151.2094", "australiasoutheast"},
}

// locationView is a Location of the Resources REST spec (subscriptions).
type locationView struct {
	ID                  string           `json:"id"`
	Name                string           `json:"name"`
	Type                string           `json:"type"`
	DisplayName         string           `json:"displayName"`
	RegionalDisplayName string           `json:"regionalDisplayName"`
	Metadata            locationMetadata `json:"metadata"`
}

type locationMetadata struct {
	RegionType       string             `json:"regionType"`
	RegionCategory   string             `json:"regionCategory"`
	GeographyGroup   string             `json:"geographyGroup"`
	Longitude        string             `json:"longitude"`
	Latitude         string             `json:"latitude"`
	PhysicalLocation string             `json:"physicalLocation"`
	PairedRegion     []pairedRegionView `json:"pairedRegion"`
}

type pairedRegionView struct {
	Name string `json:"name"`
	ID   string `json:"id"`
}

// knownRegion reports whether l names one of the regions.
func knownRegion(l string) bool {
	l = normLocation(l)
	for _, r := range regions {
		if r.Name == l {
			return true
		}
	}
	return false
}

// listLocations serves GET /subscriptions/{s}/locations to any principal
// of the subscription's tenant: the list is the same everywhere.
func (s *Service) listLocations(c *call) (int, any, error) {
	if err := s.requireOpSubscription(c); err != nil {
		return 0, nil, err
	}
	sub := "/subscriptions/" + c.op.id.SubscriptionID
	out := make([]locationView, 0, len(regions))
	for _, r := range regions {
		out = append(out, locationView{ID: sub + "/locations/" + r.Name, Name: r.Name, Type: "Region", DisplayName: r.DisplayName,
			RegionalDisplayName: "(" + r.Geography + ") " + r.DisplayName,
			Metadata: locationMetadata{RegionType: "Physical", RegionCategory: "Recommended", GeographyGroup: r.Geography,
				Longitude: r.Longitude, Latitude: r.Latitude, PhysicalLocation: r.Physical,
				PairedRegion: []pairedRegionView{{Name: r.Paired, ID: sub + "/locations/" + r.Paired}}}})
	}
	return 200, list{Value: out}, nil
}

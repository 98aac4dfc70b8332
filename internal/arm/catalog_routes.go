package arm

// registerLookups registers the read-only look-ups Azure clients make
// before or beside their real work: provider metadata, regions, the
// resource list, and the Cognitive Services catalogs. Routes without an
// action authorize inside their handler, or (static catalogs) need none.
func (s *Service) registerLookups() {
	r := versionsResources
	s.handle(opList, typeProviders, "GET", "", route{versions: r, fn: s.listProviders})
	s.handle(opItem, typeProviders, "GET", "", route{versions: r, fn: s.getProvider})
	s.handle(opList, typeSubProviders, "GET", "", route{versions: r, fn: s.listProviders})
	s.handle(opItem, typeSubProviders, "GET", "", route{versions: r, fn: s.getProvider})
	s.handle(opList, typeLocations, "GET", "", route{versions: r, fn: s.listLocations})
	s.handle(opList, typeResources, "GET", "", route{versions: r, fn: s.listResources})

	v := versionsCognitive
	s.handle(opList, typeSkus, "GET", "", route{versions: v, fn: s.listSkus})
	s.handle(opItem, typeModels, "GET", "", route{versions: v, fn: s.listModels})
	s.handle(opList, typeAccountModels, "GET", "", route{action: typeAccount + "/read", versions: v, fn: s.listAccountModels})
	s.handle(opList, typeDeletedAccounts, "GET", "", route{action: typeDeletedAccounts + "/read", versions: v, fn: s.listDeletedAccounts})
	s.handle(opItem, typeDeletedAccount, "GET", "", route{action: typeDeletedAccount + "/read", versions: v, fn: s.getDeletedAccount})
}

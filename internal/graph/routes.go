package graph

import "net/http"

func (s *Service) routes(mux *http.ServeMux) {
	read, write := func(h handlerFunc) http.HandlerFunc { return s.handle(false, h) },
		func(h handlerFunc) http.HandlerFunc { return s.handle(true, h) }

	mux.Handle("GET /v1.0/applications", read(s.listApps))
	mux.Handle("POST /v1.0/applications", write(s.createApp))
	mux.Handle("GET /v1.0/applications/{id}", read(s.getApp))
	mux.Handle("PATCH /v1.0/applications/{id}", write(s.patchApp))
	mux.Handle("DELETE /v1.0/applications/{id}", write(s.deleteApp))
	mux.Handle("POST /v1.0/applications/{id}/addPassword", write(s.addPassword))
	mux.Handle("POST /v1.0/applications/{id}/removePassword", write(s.removePassword))

	mux.Handle("GET /v1.0/servicePrincipals", read(s.listSPs))
	mux.Handle("POST /v1.0/servicePrincipals", write(s.createSP))
	mux.Handle("GET /v1.0/servicePrincipals/{id}", read(s.getSP))
	mux.Handle("PATCH /v1.0/servicePrincipals/{id}", write(s.patchSP))
	mux.Handle("DELETE /v1.0/servicePrincipals/{id}", write(s.deleteSP))
	mux.Handle("GET /v1.0/servicePrincipals/{id}/appRoleAssignments", read(s.listAppRoleAssignments(false)))
	mux.Handle("GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo", read(s.listAppRoleAssignments(true)))
	mux.Handle("POST /v1.0/servicePrincipals/{id}/appRoleAssignments", write(s.createAppRoleAssignment))
	mux.Handle("POST /v1.0/servicePrincipals/{id}/appRoleAssignedTo", write(s.createAppRoleAssignment))
	mux.Handle("DELETE /v1.0/servicePrincipals/{id}/appRoleAssignedTo/{aid}", write(s.deleteAppRoleAssignment))
	mux.Handle("DELETE /v1.0/servicePrincipals/{id}/appRoleAssignments/{aid}", write(s.deleteAppRoleAssignment))

	mux.Handle("GET /v1.0/users", read(s.listUsers))
	mux.Handle("POST /v1.0/users", write(s.createUser))
	mux.Handle("GET /v1.0/users/{id}", read(s.getUser))
	mux.Handle("PATCH /v1.0/users/{id}", write(s.patchUser))
	mux.Handle("DELETE /v1.0/users/{id}", write(s.deleteUser))

	mux.Handle("GET /v1.0/groups", read(s.listGroups))
	mux.Handle("POST /v1.0/groups", write(s.createGroup))
	mux.Handle("GET /v1.0/groups/{id}", read(s.getGroup))
	mux.Handle("DELETE /v1.0/groups/{id}", write(s.deleteGroup))
	mux.Handle("GET /v1.0/groups/{id}/members", read(s.listMembers))
	mux.Handle("POST /v1.0/groups/{id}/members/$ref", write(s.addMember))
	mux.Handle("DELETE /v1.0/groups/{id}/members/{mid}/$ref", write(s.removeMember))

	for _, coll := range []string{"users", "groups", "servicePrincipals", "directoryObjects"} {
		mux.Handle("GET /v1.0/"+coll+"/{id}/memberOf", read(s.memberOf(false)))
		mux.Handle("GET /v1.0/"+coll+"/{id}/transitiveMemberOf", read(s.memberOf(true)))
		mux.Handle("POST /v1.0/"+coll+"/{id}/getMemberGroups", read(s.getMemberGroups))
		mux.Handle("POST /v1.0/"+coll+"/{id}/checkMemberGroups", read(s.checkMemberGroups))
	}
	mux.Handle("GET /v1.0/directoryObjects/{id}", read(s.getObject))
	mux.Handle("POST /v1.0/directoryObjects/getByIds", read(s.getByIDs))
	mux.Handle("GET /v1.0/organization", read(s.organization))
	mux.Handle("GET /v1.0/me", read(s.me))
	mux.HandleFunc("/v1.0/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, s.log, &Error{Status: 400, Code: "BadRequest", Message: "Resource not found for the segment '" + r.URL.Path + "'."}, "")
	})
}

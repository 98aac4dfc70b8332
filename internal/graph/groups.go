package graph

import (
	"context"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/directory"
)

func (s *Service) findGroup(ctx context.Context, c *caller, id string) (*directory.Group, error) {
	g, err := s.dir.Group(ctx, id)
	if err == nil && g.TenantID != c.tid {
		return nil, errNotFound(id)
	}
	return g, err
}

func (s *Service) listGroups(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	groups, err := s.dir.Groups(ctx, c.tid)
	if err != nil {
		return 0, nil, err
	}
	groups, err = filterList(groups, r.URL.Query().Get("$filter"), func(g *directory.Group, f string) []string {
		switch f {
		case "displayName":
			return []string{g.DisplayName}
		case "mailNickname":
			return []string{g.MailNickname}
		case "id":
			return []string{g.ID}
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	out := make([]groupView, 0, len(groups))
	for _, g := range groups {
		out = append(out, viewGroup(g))
	}
	return 200, collection("groups", out), nil
}

func (s *Service) getGroup(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	g, err := s.findGroup(ctx, c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return 200, viewGroup(g), nil
}

func (s *Service) createGroup(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	var in struct {
		DisplayName  string `json:"displayName"`
		MailNickname string `json:"mailNickname"`
		Description  string `json:"description"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	var g *directory.Group
	err := s.dir.Update(ctx, func(tx *directory.Tx) error {
		var err error
		g, err = tx.CreateGroup(ctx, c.tid, directory.NewGroup{DisplayName: in.DisplayName,
			MailNickname: in.MailNickname, Description: in.Description})
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return 201, viewGroup(g), nil
}

func (s *Service) deleteGroup(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	g, err := s.findGroup(ctx, c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return 204, nil, s.dir.Update(ctx, func(tx *directory.Tx) error { return tx.DeleteGroup(ctx, g.ID) })
}

func (s *Service) listMembers(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	g, err := s.findGroup(ctx, c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	ms, err := s.dir.Members(ctx, g.ID)
	if err != nil {
		return 0, nil, err
	}
	out := make([]any, 0, len(ms))
	for _, m := range ms {
		if v, err := s.objectView(ctx, c.tid, m.MemberID); err == nil {
			out = append(out, v)
		}
	}
	return 200, collection("directoryObjects", out), nil
}

// addMember serves POST /groups/{id}/members/$ref with
// {"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{oid}"}.
func (s *Service) addMember(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	var in struct {
		ODataID string `json:"@odata.id"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	ref := strings.TrimRight(in.ODataID, "/")
	memberID := ref[strings.LastIndexByte(ref, '/')+1:]
	if !directory.IsGUID(memberID) {
		return 0, nil, errBadRequest("Invalid object identifier '" + in.ODataID + "'.")
	}
	g, err := s.findGroup(ctx, c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	err = s.dir.Update(ctx, func(tx *directory.Tx) error { return tx.AddMember(ctx, g.ID, memberID) })
	if directory.IsNotFound(err) {
		return 0, nil, errNotFound(memberID)
	}
	return 204, nil, err
}

func (s *Service) removeMember(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	g, err := s.findGroup(ctx, c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	err = s.dir.Update(ctx, func(tx *directory.Tx) error { return tx.RemoveMember(ctx, g.ID, r.PathValue("mid")) })
	if directory.IsNotFound(err) {
		return 0, nil, errNotFound(r.PathValue("mid"))
	}
	return 204, nil, err
}

// memberOf serves GET /{users|servicePrincipals|groups|directoryObjects}/{id}/memberOf.
func (s *Service) memberOf(transitive bool) handlerFunc {
	return func(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
		ids, err := s.groupIDsOf(ctx, c, r.PathValue("id"), transitive)
		if err != nil {
			return 0, nil, err
		}
		out := make([]any, 0, len(ids))
		for _, id := range ids {
			if v, err := s.objectView(ctx, c.tid, id); err == nil {
				out = append(out, v)
			}
		}
		return 200, collection("directoryObjects", out), nil
	}
}

func (s *Service) groupIDsOf(ctx context.Context, c *caller, id string, transitive bool) ([]string, error) {
	oid, err := s.resolveObjectID(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if transitive {
		return s.dir.TransitiveMemberOf(ctx, oid)
	}
	ms, err := s.dir.MemberOf(ctx, oid)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(ms))
	for _, m := range ms {
		ids = append(ids, m.GroupID)
	}
	return ids, nil
}

// getMemberGroups serves POST …/{id}/getMemberGroups (transitive group ids).
func (s *Service) getMemberGroups(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	ids, err := s.groupIDsOf(ctx, c, r.PathValue("id"), true)
	if err != nil {
		return 0, nil, err
	}
	return 200, collection("Collection(Edm.String)", nonNilStrings(ids)), nil
}

// checkMemberGroups serves POST …/{id}/checkMemberGroups {"groupIds":[…]}.
func (s *Service) checkMemberGroups(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	var in struct {
		GroupIDs []string `json:"groupIds"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	ids, err := s.groupIDsOf(ctx, c, r.PathValue("id"), true)
	if err != nil {
		return 0, nil, err
	}
	member := map[string]bool{}
	for _, id := range ids {
		member[id] = true
	}
	out := []string{}
	for _, g := range in.GroupIDs {
		if member[strings.ToLower(g)] {
			out = append(out, strings.ToLower(g))
		}
	}
	return 200, collection("Collection(Edm.String)", out), nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

package graph

import (
	"context"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/directory"
)

// findUser resolves {id}: an object id or a user principal name.
func (s *Service) findUser(ctx context.Context, c *caller, id string) (*directory.User, error) {
	var u *directory.User
	var err error
	if strings.Contains(id, "@") {
		u, err = s.dir.UserByUPN(ctx, c.tid, id)
	} else {
		u, err = s.dir.User(ctx, id)
	}
	if err == nil && u.TenantID != c.tid {
		return nil, errNotFound(id)
	}
	return u, err
}

func (s *Service) listUsers(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	users, err := s.dir.Users(ctx, c.tid)
	if err != nil {
		return 0, nil, err
	}
	users, err = filterList(users, r.URL.Query().Get("$filter"), func(u *directory.User, f string) []string {
		switch f {
		case "displayName":
			return []string{u.DisplayName}
		case "userPrincipalName":
			return []string{u.UserPrincipalName}
		case "mail":
			return []string{u.Mail}
		case "id":
			return []string{u.ID}
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	out := make([]userView, 0, len(users))
	for _, u := range users {
		out = append(out, viewUser(u))
	}
	return 200, collection("users", out), nil
}

func (s *Service) getUser(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	u, err := s.findUser(ctx, c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return 200, viewUser(u), nil
}

type userInput struct {
	AccountEnabled    *bool   `json:"accountEnabled"`
	DisplayName       *string `json:"displayName"`
	MailNickname      string  `json:"mailNickname"`
	Mail              *string `json:"mail"`
	UserPrincipalName *string `json:"userPrincipalName"`
	PasswordProfile   *struct {
		Password                      string `json:"password"`
		ForceChangePasswordNextSignIn bool   `json:"forceChangePasswordNextSignIn"`
	} `json:"passwordProfile"`
}

func (s *Service) createUser(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	var in userInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	nu := directory.NewUser{AccountEnabled: in.AccountEnabled}
	if in.UserPrincipalName == nil || in.DisplayName == nil {
		return 0, nil, errBadRequest("Properties 'userPrincipalName' and 'displayName' are required.")
	}
	nu.UserPrincipalName, nu.DisplayName = *in.UserPrincipalName, *in.DisplayName
	if err := s.checkUPNDomain(ctx, c.tid, nu.UserPrincipalName); err != nil {
		return 0, nil, err
	}
	if in.Mail != nil {
		nu.Mail = *in.Mail
	}
	if in.PasswordProfile != nil {
		nu.Password = in.PasswordProfile.Password
	}
	var u *directory.User
	err := s.dir.Update(ctx, func(tx *directory.Tx) error {
		var err error
		u, err = tx.CreateUser(ctx, c.tid, nu)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return 201, viewUser(u), nil
}

func (s *Service) patchUser(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	var in userInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	u, err := s.findUser(ctx, c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	if in.DisplayName != nil {
		u.DisplayName = *in.DisplayName
	}
	if in.AccountEnabled != nil {
		u.AccountEnabled = *in.AccountEnabled
	}
	if in.Mail != nil {
		u.Mail = *in.Mail
	}
	if in.PasswordProfile != nil {
		if u.PasswordHash, err = directory.HashPassword(in.PasswordProfile.Password); err != nil {
			return 0, nil, err
		}
	}
	return 204, nil, s.dir.Update(ctx, func(tx *directory.Tx) error { return tx.PutUser(ctx, u) })
}

func (s *Service) deleteUser(ctx context.Context, c *caller, r *http.Request) (int, any, error) {
	u, err := s.findUser(ctx, c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return 204, nil, s.dir.Update(ctx, func(tx *directory.Tx) error { return tx.DeleteUser(ctx, u.ID) })
}

// checkUPNDomain refuses, as Entra does, a user principal name whose
// domain is not one of the tenant's verified domains.
func (s *Service) checkUPNDomain(ctx context.Context, tid, upn string) error {
	ten, err := s.dir.Tenant(ctx, tid)
	if err != nil {
		return err
	}
	if at := strings.LastIndexByte(upn, '@'); at > 0 {
		for _, d := range ten.Domains {
			if strings.EqualFold(upn[at+1:], d) {
				return nil
			}
		}
	}
	return errBadRequest("The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.")
}

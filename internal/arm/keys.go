package arm

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/store"
)

// AccountKeys are an account's two API keys. They are kept as given to
// clients because listKeys must return them, as in Azure.
type AccountKeys struct {
	AccountID string `json:"accountId"`
	Key1      string `json:"key1"`
	Key2      string `json:"key2"`
}

func (k *AccountKeys) StoreKind() store.Kind { return KindAccountKeys }
func (k *AccountKeys) StoreID() string       { return authz.ScopeKey("", k.AccountID) } // under a subscription: global
func (k *AccountKeys) StoreTenant() string   { return "" }
func (k *AccountKeys) StoreKeys() []string   { return []string{"key:" + k.Key1, "key:" + k.Key2} }
func (k *AccountKeys) StoreRefs() []string   { return nil }

func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newKeys(accountID string) *AccountKeys {
	return &AccountKeys{AccountID: accountID, Key1: newKey(), Key2: newKey()}
}

type keysView struct {
	Key1 string `json:"key1"`
	Key2 string `json:"key2"`
}

func (s *Service) listKeys(c *call) (int, any, error) {
	k, err := store.GetDoc[AccountKeys](c.ctx, s.st, KindAccountKeys, c.key(c.op.id.String()))
	if store.IsNotFound(err) {
		return 0, nil, errNotFoundResource(typeAccount, c.op.id.Name, c.op.id.ResourceGroupName)
	}
	if err != nil {
		return 0, nil, err
	}
	return 200, keysView{Key1: k.Key1, Key2: k.Key2}, nil
}

func (s *Service) regenerateKey(c *call) (int, any, error) {
	var in struct {
		KeyName string `json:"keyName"`
	}
	if err := c.decodeBody(&in); err != nil {
		return 0, nil, err
	}
	which := fold.String(in.KeyName)
	if which != "key1" && which != "key2" {
		return 0, nil, errBadRequest("InvalidRequestContent", "keyName must be 'Key1' or 'Key2', not '%s'.", in.KeyName)
	}
	var out keysView
	err := s.st.Update(c.ctx, func(tx store.Tx) error {
		k, err := store.GetDoc[AccountKeys](c.ctx, tx, KindAccountKeys, c.key(c.op.id.String()))
		if err != nil {
			return err
		}
		if which == "key1" {
			k.Key1 = newKey()
		} else {
			k.Key2 = newKey()
		}
		out = keysView{Key1: k.Key1, Key2: k.Key2}
		return store.PutDoc(c.ctx, tx, k)
	})
	if store.IsNotFound(err) {
		return 0, nil, errNotFoundResource(typeAccount, c.op.id.Name, c.op.id.ResourceGroupName)
	}
	if err != nil {
		return 0, nil, err
	}
	return 200, out, nil
}

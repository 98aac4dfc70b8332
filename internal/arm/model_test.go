package arm_test

// TestModelBased runs random sequences of ARM writes and checks by random
// principals of two tenants against a reference model of Azure's rules
// (model_ref_test.go: tenant walls, Actions/NotActions, assignable scopes,
// inheritance through management groups, deny assignments); the
// operations are drawn in model_ops_test.go. After every operation the
// HTTP outcome (2xx or 4xx, an accessCheck decision, a list's content) is
// compared with the model's prediction; a successful write is applied to
// the model. On a divergence the sequence is shrunk (delta debugging, each
// try on a fresh server) and the shortest one found is printed.
//
// The tenants have the same management group names, custom roles with
// the same GUIDs, resource groups with the same names: the walls must hold
// under name collisions.
//
// CI runs fixed seeds (modelSeeds × modelOps operations). Longer runs:
//
//	GATEHOUSE_MODEL_OPS=1000000 GATEHOUSE_MODEL_SEED=42 go test -run TestModelBased -timeout 0 ./internal/arm/
//
// Environment:
//
//	GATEHOUSE_MODEL_OPS=n       operations per seed (default 2500)
//	GATEHOUSE_MODEL_SEED=s      run only seed s (default: the fixed seeds 1..4)
//	GATEHOUSE_MODEL_SHRINK=d    time spent shrinking one divergence (default 10s)
//	GATEHOUSE_MODEL_SKIP=k,k    leave out operation kinds (e.g. subscription.move,mg.put),
//	                            to study a divergence

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const (
	modelOps    = 2500
	modelSecret = "model-based-test-secret-0123456789"
)

var modelSeeds = []uint64{1, 2, 3, 4}

func TestModelBased(t *testing.T) {
	// The store syncs every write to disk; on tmpfs (when there is one)
	// the thousands of writes and the servers shrinking starts cost less.
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() && os.Getenv("TMPDIR") == "" {
		t.Setenv("TMPDIR", "/dev/shm")
	}
	ops := envInt(t, "GATEHOUSE_MODEL_OPS", modelOps)
	seeds := modelSeeds
	if s := os.Getenv("GATEHOUSE_MODEL_SEED"); s != "" {
		seeds = []uint64{uint64(envInt(t, "GATEHOUSE_MODEL_SEED", 0))}
	}
	shrinkFor := 10 * time.Second
	if s := os.Getenv("GATEHOUSE_MODEL_SHRINK"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("GATEHOUSE_MODEL_SHRINK: %v", err)
		}
		shrinkFor = d
	}
	skip := map[string]bool{}
	for _, k := range strings.Split(os.Getenv("GATEHOUSE_MODEL_SKIP"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			skip[k] = true
		}
	}
	spec := newModelSpec()
	start, total := time.Now(), 0
	for _, seed := range seeds {
		g := &gen{r: rand.New(rand.NewPCG(seed, 0x6761746568)), spec: spec, skip: skip}
		runStart := time.Now()
		seq, div := runGenerated(t, spec, g, ops)
		total += len(seq)
		t.Logf("seed %d: %d operations in %v", seed, len(seq), time.Since(runStart).Round(time.Millisecond))
		if div == nil {
			continue
		}
		t.Errorf("seed %d: divergence after %d operations: %s", seed, len(seq), div.detail)
		shrinkStart := time.Now()
		short, d, tries := shrink(t, spec, seq, shrinkFor)
		t.Logf("seed %d: shrinking: %d tries in %v", seed, tries, time.Since(shrinkStart).Round(time.Millisecond))
		t.Errorf("seed %d: shortest sequence found (%d of %d operations):\n%s", seed, len(short), len(seq), formatSeq(short, d))
	}
	t.Logf("model-based: %d operations over seeds %v in %v", total, seeds, time.Since(start).Round(time.Millisecond))
}

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return n
}

// divergence is where gatehouse and the model disagree.
type divergence struct {
	at     int // index of the operation
	got    string
	want   string
	detail string
}

// runGenerated draws and runs n operations on a fresh server; it stops at
// the first divergence and returns the operations run.
func runGenerated(t *testing.T, spec *modelSpec, g *gen, n int) ([]mop, *divergence) {
	me := newModelEnv(t, spec)
	defer me.close()
	m := spec.model()
	seq := spec.setup()
	for i := range seq {
		if d := me.step(t, m, seq[i]); d != nil {
			d.at = i
			return seq[:i+1], d
		}
	}
	for len(seq) < n {
		o := g.next(m)
		seq = append(seq, o)
		if d := me.step(t, m, o); d != nil {
			d.at = len(seq) - 1
			return seq, d
		}
	}
	return seq, nil
}

// replay runs a fixed sequence on a fresh server.
func replay(t *testing.T, spec *modelSpec, seq []mop) (*divergence, []bool) {
	me := newModelEnv(t, spec)
	defer me.close()
	m := spec.model()
	for i, o := range seq {
		if d := me.step(t, m, o); d != nil {
			d.at = i
			return d, me.oks
		}
	}
	return nil, me.oks
}

// readOnly operations change nothing on a correct server.
func readOnly(kind string) bool {
	switch kind {
	case opCheck, opRead, opRoleGet, opRAGet, opListRA, opListRoles, opListRG, opListMG, opListSubs:
		return true
	}
	return false
}

// shrink reduces a diverging sequence by delta debugging: cut everything
// after the divergence, then drop ever smaller chunks while some
// divergence remains, within the time budget.
func shrink(t *testing.T, spec *modelSpec, seq []mop, budget time.Duration) (_ []mop, _ *divergence, tries int) {
	deadline := time.Now().Add(budget)
	try := func(seq []mop) (*divergence, []bool) {
		tries++
		return replay(t, spec, seq)
	}
	best := slices.Clone(seq)
	bestDiv, oks := try(best)
	if bestDiv == nil {
		return best, &divergence{detail: "(the divergence did not reproduce on a fresh server)"}, tries
	}
	best = best[:bestDiv.at+1]
	// First, in one try each: drop what only reads, then the writes that
	// failed (neither changes anything on a correct server).
	for _, keep := range []func(i int, o mop) bool{
		func(_ int, o mop) bool { return !readOnly(o.Kind) },
		func(i int, _ mop) bool { return oks[i] },
	} {
		var kept []mop
		for i, o := range best {
			if keep(i, o) || i == len(best)-1 {
				kept = append(kept, o)
			}
		}
		if len(kept) == len(best) {
			continue
		}
		if d, ok := try(kept); d != nil {
			best, bestDiv, oks = kept[:d.at+1], d, ok
		}
	}
	for chunk := len(best) / 2; chunk >= 1 && time.Now().Before(deadline); {
		removed := false
		for start := 0; start+chunk <= len(best) && time.Now().Before(deadline); {
			cand := append(slices.Clone(best[:start]), best[start+chunk:]...)
			if d, _ := try(cand); d != nil {
				best, bestDiv, removed = cand[:d.at+1], d, true
				continue // the same start now holds the next chunk
			}
			start += chunk
		}
		if !removed || chunk > len(best) {
			chunk /= 2
		}
		if chunk > len(best)/2 && len(best) > 1 {
			chunk = len(best) / 2
		}
	}
	return best, bestDiv, tries
}

func formatSeq(seq []mop, d *divergence) string {
	var b strings.Builder
	for i, o := range seq {
		fmt.Fprintf(&b, "  %3d  %s\n", i, o)
	}
	fmt.Fprintf(&b, "  → at %d: expected %s, got %s", d.at, d.want, d.got)
	return b.String()
}

// modelEnv is a gatehouse started from the spec's configuration, with a
// token for every acting principal.
type modelEnv struct {
	e      *testenv.Env
	ids    map[string]string // symbol → object id
	tokens map[string]string
	rep    *strings.Replacer
	oks    []bool // per operation run: did it succeed
}

func newModelEnv(t *testing.T, spec *modelSpec) *modelEnv {
	t.Helper()
	me := &modelEnv{e: testenv.NewWithConfig(t, spec.yaml(t)), ids: map[string]string{}, tokens: map[string]string{}}
	ctx := context.Background()
	var pairs []string
	for _, ts := range spec.tenants {
		for i, app := range ts.apps() {
			sp, err := me.e.Directory().ServicePrincipalByAppID(ctx, ts.id, ts.appID(i))
			if err != nil {
				t.Fatalf("model: service principal %s: %v", app, err)
			}
			sym := ts.key + "." + app
			me.ids[sym] = sp.ID
			me.tokens[sym] = me.token(t, ts.id, ts.appID(i))
		}
		for i, g := range ts.groups() {
			me.ids[ts.key+"."+g] = ts.groupID(i)
		}
	}
	for sym, id := range me.ids {
		pairs = append(pairs, "{{"+sym+"}}", id)
	}
	me.rep = strings.NewReplacer(pairs...)
	return me
}

func (me *modelEnv) close() { _ = me.e.Server.Close() }

func (me *modelEnv) token(t *testing.T, tenant, appID string) string {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {appID}, "client_secret": {modelSecret},
		"scope": {armScope}}
	req := httptest.NewRequest("POST", "https://127.0.0.1/"+tenant+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	me.e.Handler.ServeHTTP(rec, req)
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.AccessToken == "" {
		t.Fatalf("model: token for %s: %d %s", appID, rec.Code, rec.Body)
	}
	return body.AccessToken
}

// exec sends o in-process (no TLS: the test starts many servers).
func (me *modelEnv) exec(o mop) (int, map[string]any) {
	method, path, version, body := o.request()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	req := httptest.NewRequest(method, "https://127.0.0.1"+path+sep+"api-version="+version, strings.NewReader(me.rep.Replace(body)))
	req.Header.Set("Authorization", "Bearer "+me.tokens[o.Actor])
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	me.e.Handler.ServeHTTP(rec, req)
	var m map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &m)
	return rec.Code, m
}

// step runs o and compares; on agreement the model takes o's effect.
func (me *modelEnv) step(t *testing.T, m *refModel, o mop) *divergence {
	exp := m.predict(o)
	status, body := me.exec(o)
	me.oks = append(me.oks, status < 300)
	if status >= 500 {
		return &divergence{want: "no server error", got: fmt.Sprintf("%d %v", status, body), detail: fmt.Sprintf("%s: %d %v", o, status, body)}
	}
	ok := status < 300
	gotS := fmt.Sprintf("%d %s", status, errText(body))
	var want string
	switch exp.kind {
	case expAllow:
		if !ok {
			want = "2xx (" + exp.why + ")"
		}
	case expDeny:
		if ok {
			want = "4xx (" + exp.why + ")"
		}
	case expBool:
		got := ok && body["allowed"] == true
		if got != exp.allowed {
			want = fmt.Sprintf("allowed=%v", exp.allowed)
			gotS = fmt.Sprintf("%d allowed=%v %s", status, got, errText(body))
		}
	case expSet:
		names := listedNames(o.Kind, body)
		if !ok || !slices.Equal(names, exp.set) {
			want = fmt.Sprintf("2xx listing %v (%s)", exp.set, exp.why)
			gotS = fmt.Sprintf("%d listing %v %s", status, names, errText(body))
		}
	}
	if want != "" {
		return &divergence{want: want, got: gotS, detail: fmt.Sprintf("%s: expected %s, got %s", o, want, gotS)}
	}
	if ok && exp.probe != nil {
		if ps, pb := me.exec(*exp.probe); ps >= 300 {
			want = "the object to survive: " + exp.why
			gotS = fmt.Sprintf("%d, and then %s answers %d %s", status, exp.probe, ps, errText(pb))
			return &divergence{want: want, got: gotS, detail: fmt.Sprintf("%s: expected %s, got %s", o, want, gotS)}
		}
	}
	if ok && exp.apply != nil {
		exp.apply()
	}
	return nil
}

func errText(body map[string]any) string {
	if e, ok := body["error"].(map[string]any); ok {
		msg, _ := e["message"].(string)
		if len(msg) > 160 {
			msg = msg[:160] + "…"
		}
		return fmt.Sprintf("%v: %s", e["code"], msg)
	}
	return ""
}

func listedNames(kind string, body map[string]any) []string {
	vals, _ := body["value"].([]any)
	out := []string{}
	for _, v := range vals {
		item, _ := v.(map[string]any)
		key := "name"
		if kind == opListSubs {
			key = "subscriptionId"
		}
		s, _ := item[key].(string)
		out = append(out, strings.ToLower(s))
	}
	slices.Sort(out)
	return out
}

// modelSpec is the starting state: two tenants, declared in configuration
// (principals, groups, subscription, management groups, role and deny
// assignments) and set up further through ARM by each administrator.
type modelSpec struct {
	tenants []*tenantSpec
}

type tenantSpec struct {
	key, id, domain, sub string
	num                  int
	mgs                  [][2]string // name, parent
	customGUIDs          []string
	assigns              []specAssign
	denies               []config.DenyAssignment
}

type specAssign struct{ name, principal, role, scope string }

func (s *modelSpec) tenant(key string) *tenantSpec {
	for _, t := range s.tenants {
		if t.key == key {
			return t
		}
	}
	panic("no tenant " + key)
}

func (ts *tenantSpec) apps() []string   { return []string{"admin", "p1", "p2", "p3", "p4"} }
func (ts *tenantSpec) groups() []string { return []string{"g1", "g2", "g3"} }
func (ts *tenantSpec) appID(i int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", ts.num, 0xa00+i)
}
func (ts *tenantSpec) groupID(i int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", ts.num, 0x600+i)
}
func (ts *tenantSpec) display(sym string) string { return ts.key + "-" + sym }

func (ts *tenantSpec) mgNames() []string {
	var out []string
	for _, mg := range ts.mgs {
		out = append(out, mg[0])
	}
	return out
}

// assignees are the principals an assignment may name.
func (ts *tenantSpec) assignees() []string {
	var out []string
	for _, a := range append(ts.apps(), ts.groups()...) {
		out = append(out, ts.key+"."+a)
	}
	return out
}

func (s *modelSpec) adminAssignment(tenant string) string { return s.tenant(tenant).assigns[0].name }

// groupMembers: g1 holds p1 and g2 (nested), g2 holds p2, g3 holds p3.
var groupMembers = map[string][]string{"g1": {"p1", "g2"}, "g2": {"p2"}, "g3": {"p3"}}

func newModelSpec() *modelSpec {
	s := &modelSpec{}
	for i, key := range []string{"a", "b"} {
		num := i + 1
		ts := &tenantSpec{key: key, num: num, id: fmt.Sprintf("%08x-7e4a-4000-8000-%012x", num, num),
			domain: "model-" + key + ".onmicrosoft.com", sub: fmt.Sprintf("5ab5c000-0000-4000-8000-%012x", num)}
		shared := ""      // both tenants use the same names: the walls must hold under collisions
		own := "mg" + key // a name only this tenant has
		ts.mgs = [][2]string{{shared + "mg1", ""}, {shared + "mg2", shared + "mg1"}, {own, shared + "mg1"}}
		for c := 1; c <= 3; c++ {
			g := fmt.Sprintf("c0000000-0000-4000-8000-%012x", c) // the same GUIDs in both tenants
			ts.customGUIDs = append(ts.customGUIDs, g)
		}
		subPath, mg := "/subscriptions/"+ts.sub, func(n string) string { return mgSeg + n }
		name := func(n int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", num, 0xaa0+n) }
		ts.assigns = []specAssign{
			{name(0), "admin", roleOwner, "/"},
			{name(1), "p1", roleReader, subPath},
			{name(2), "g1", roleContrib, mg(shared + "mg1")},
			{name(3), "p3", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", mg(shared + "mg2")},
			{name(4), "g3", roleOAIUser, subPath},
			{name(5), "p2", roleOwner, mg(own)},
		}
		ts.denies = []config.DenyAssignment{{Name: fmt.Sprintf("%08x-0000-4000-8000-%012x", num, 0xd01), Scope: subPath,
			Principals: []string{ts.display("g3")}, Actions: []string{"Microsoft.Authorization/*/write"}}}
		if key == "a" { // Everyone in a (but its administrator) may not delete accounts; b is not a's business
			ts.denies = append(ts.denies, config.DenyAssignment{Name: fmt.Sprintf("%08x-0000-4000-8000-%012x", num, 0xd02), Scope: "/",
				Principals: []string{"Everyone"}, ExcludePrincipals: []string{ts.display("admin")},
				Actions: []string{"Microsoft.CognitiveServices/accounts/delete"}})
		} else if key == "b" { // p2 may not read at mg1 itself, below it it may
			ts.denies = append(ts.denies, config.DenyAssignment{Name: fmt.Sprintf("%08x-0000-4000-8000-%012x", num, 0xd02), Scope: mg(shared + "mg1"),
				Principals: []string{ts.display("p2")}, Actions: []string{"*/read"}, DoNotApplyToChildScopes: true})
		}
		s.tenants = append(s.tenants, ts)
	}
	return s
}

// yaml is the configuration file of the spec.
func (s *modelSpec) yaml(t *testing.T) string {
	var f config.File
	for _, ts := range s.tenants {
		ct := config.Tenant{ID: ts.id, Domain: ts.domain, DisplayName: "model " + ts.key}
		for i, a := range ts.apps() {
			ct.Applications = append(ct.Applications, config.Application{AppID: ts.appID(i), DisplayName: ts.display(a),
				Secrets: []config.Secret{{DisplayName: "model", Value: modelSecret}}})
		}
		for i, g := range ts.groups() {
			var members []string
			for _, m := range groupMembers[g] {
				members = append(members, ts.display(m))
			}
			ct.Groups = append(ct.Groups, config.Group{ID: ts.groupID(i), DisplayName: ts.display(g), Members: members})
		}
		for _, mg := range ts.mgs {
			ct.ManagementGroups = append(ct.ManagementGroups, config.ManagementGroup{Name: mg[0], Parent: mg[1]})
		}
		ct.Subscriptions = []config.Subscription{{ID: ts.sub, DisplayName: "model " + ts.key, ManagementGroup: ts.mgs[1][0]}}
		for _, a := range ts.assigns {
			ct.RoleAssignments = append(ct.RoleAssignments, config.RoleAssignment{Name: a.name, Principal: ts.display(a.principal), Role: a.role, Scope: a.scope})
		}
		ct.DenyAssignments = ts.denies
		f.Tenants = append(f.Tenants, ct)
	}
	b, err := yaml.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// model is the reference model of the configured state.
func (s *modelSpec) model() *refModel {
	m := &refModel{tenants: map[string]*refTenant{}, principals: map[string]refPrincipal{}, memberOf: map[string][]string{},
		assigns: map[string]*refAssign{}}
	for _, ts := range s.tenants {
		rt := &refTenant{key: ts.key, sub: ts.sub, mgParent: map[string]string{}, subMG: ts.mgs[1][0],
			rgs: map[string]bool{}, accounts: map[string]bool{}, roles: map[string]*refRole{}}
		for _, mg := range ts.mgs {
			rt.mgParent[mg[0]] = mg[1]
		}
		m.tenants[ts.key] = rt
		for _, a := range ts.apps() {
			m.principals[ts.key+"."+a] = refPrincipal{tenant: ts.key, kind: "ServicePrincipal"}
		}
		for _, g := range ts.groups() {
			m.principals[ts.key+"."+g] = refPrincipal{tenant: ts.key, kind: "Group"}
			for _, member := range groupMembers[g] {
				m.memberOf[ts.key+"."+member] = append(m.memberOf[ts.key+"."+member], ts.key+"."+g)
			}
		}
		for _, a := range ts.assigns {
			m.assigns[a.name] = &refAssign{name: a.name, tenant: ts.key, scope: strings.ToLower(a.scope), role: a.role, principal: ts.key + "." + a.principal}
		}
		for _, d := range ts.denies {
			sym := func(names []string) []string {
				var out []string
				for _, n := range names {
					if n == "Everyone" {
						out = append(out, n)
					} else {
						out = append(out, ts.key+"."+strings.TrimPrefix(n, ts.key+"-"))
					}
				}
				return out
			}
			m.denies = append(m.denies, &refDeny{name: d.Name, tenant: ts.key, scope: strings.ToLower(d.Scope), principals: sym(d.Principals),
				excludes: sym(d.ExcludePrincipals), actions: d.Actions, notActions: d.NotActions, noChildren: d.DoNotApplyToChildScopes})
		}
	}
	return m
}

// setup is the ARM part of the starting state, run (and checked) as
// ordinary operations by each tenant's administrator: resource groups, an
// account, a custom role (same GUID in both tenants) and its assignment.
func (s *modelSpec) setup() []mop {
	var out []mop
	for _, ts := range s.tenants {
		admin := ts.key + ".admin"
		out = append(out,
			mop{Kind: opRGPut, Actor: admin, Sub: ts.sub, RG: "rg1"},
			mop{Kind: opRGPut, Actor: admin, Sub: ts.sub, RG: "rg2"},
			mop{Kind: opAcctPut, Actor: admin, Sub: ts.sub, RG: "rg1", Name: "acct1"},
			mop{Kind: opRolePut, Actor: admin, Name: ts.customGUIDs[0], Actions: []string{"Microsoft.CognitiveServices/*", "*/read"},
				NotActions: []string{"*/delete"}, Scopes: []string{"/subscriptions/" + ts.sub}},
			mop{Kind: opRAPut, Actor: admin, Scope: "/subscriptions/" + ts.sub + "/resourceGroups/rg1", Name: fmt.Sprintf("%08x-0000-4000-8000-%012x", ts.num, 0xab0),
				Role: ts.customGUIDs[0], Principal: ts.key + ".p4"},
		)
	}
	return out
}

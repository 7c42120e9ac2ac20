package auth

import (
	"strings"
	"testing"
)

func TestPasswordHashing(t *testing.T) {
	const pw = "correct horse battery"
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not in PHC format with the expected parameters", h)
	}
	if h2, _ := HashPassword(pw); h2 == h {
		t.Error("two hashes of one password are equal: no random salt")
	}
	for _, tc := range []struct {
		password string
		want     bool
	}{
		{pw, true},
		{"correct horse battery ", false},
		{"Correct horse battery", false},
		{"", false},
		{strings.Repeat("x", 10000), false},
	} {
		ok, err := VerifyPassword(h, tc.password)
		if err != nil || ok != tc.want {
			t.Errorf("VerifyPassword(%.20q) = %v, %v; want %v", tc.password, ok, err, tc.want)
		}
	}
}

func TestVerifyRefusesBadHashes(t *testing.T) {
	good, _ := HashPassword("a long enough password")
	parts := strings.Split(good, "$")
	for _, h := range []string{
		"",
		"plain text",
		"$argon2i$v=19$m=19456,t=2,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=18$m=19456,t=2,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=4294967295,t=2,p=1$" + parts[4] + "$" + parts[5], // memory bomb
		"$argon2id$v=19$m=19456,t=1000,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=19456,t=2,p=1$!!$" + parts[5],
		"$argon2id$v=19$m=19456,t=2,p=1$" + parts[4] + "$",
	} {
		if ok, err := VerifyPassword(h, "a long enough password"); ok || err == nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want ErrBadHash", h, ok, err)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	for pw, ok := range map[string]bool{
		"short":                  false,
		"elevenchars":            false,
		"twelve chars":           true,
		"ünïcödé ünïcö":          true,
		strings.Repeat("a", 257): false,
	} {
		if err := CheckPassword(pw); (err == nil) != ok {
			t.Errorf("CheckPassword(%.20q) = %v, want ok %v", pw, err, ok)
		}
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("HashPassword accepted a short password")
	}
}

func TestTokens(t *testing.T) {
	a, b := NewToken(), NewToken()
	if a == b || len(a) != 43 {
		t.Errorf("tokens %q and %q: want two different 43-character tokens", a, b)
	}
	if h := TokenHash(a); len(h) != 64 || h == TokenHash(b) || h != TokenHash(a) {
		t.Errorf("TokenHash(%q) = %q", a, h)
	}
}

func TestPermissions(t *testing.T) {
	admin := User{Role: Admin}
	analyst := User{Role: Analyst}
	board := User{Role: BoardViewer}
	north := User{Role: Coordinator, Organisation: "Northfield"}
	nobody := User{}
	type perms struct{ users, audit, raw, freeText, reports, seeNorth, seeSouth, invNorth, invSouth bool }
	for _, tc := range []struct {
		name string
		u    User
		want perms
	}{
		{"admin", admin, perms{true, true, true, true, true, true, true, true, true}},
		{"analyst", analyst, perms{false, false, true, true, true, true, true, false, false}},
		{"board viewer", board, perms{false, false, false, false, true, true, true, false, false}},
		{"co-ordinator", north, perms{false, false, false, false, true, true, false, true, false}},
		{"nobody", nobody, perms{}},
		{"co-ordinator with no organisation", User{Role: Coordinator}, perms{}},
	} {
		u := tc.u
		got := perms{u.CanManageUsers(), u.CanSeeAudit(), u.CanSeeRawResponses(), u.CanSeeFreeText(), u.CanSeeReports(),
			u.CanSeeOrganisation("Northfield"), u.CanSeeOrganisation("Southside"),
			u.CanManageInvitations("Northfield"), u.CanManageInvitations("Southside")}
		if got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
		if u.CanSeeOrganisation("") && u.Role == Coordinator {
			t.Errorf("%s sees the empty organisation", tc.name)
		}
	}
}

func TestUserValid(t *testing.T) {
	for _, tc := range []struct {
		u  User
		ok bool
	}{
		{User{Role: Admin}, true},
		{User{Role: Coordinator, Organisation: "Northfield"}, true},
		{User{Role: Coordinator}, false},
		{User{Role: Analyst, Organisation: "Northfield"}, false},
		{User{Role: "root"}, false},
	} {
		if err := tc.u.Valid(); (err == nil) != tc.ok {
			t.Errorf("%+v.Valid() = %v, want ok %v", tc.u, err, tc.ok)
		}
	}
}

func TestVerifyNothing(t *testing.T) {
	VerifyNothing("anything at all") // must not panic, and verifies a real hash
	if ok, err := VerifyPassword(dummyHash(), "not a password anyone has"); !ok || err != nil {
		t.Errorf("the dummy hash does not verify: %v %v", ok, err)
	}
}

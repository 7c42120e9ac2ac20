package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"iwtoolkit/internal/auth"
)

// addStaff adds an account with the add-user command, as an operator would.
func addStaff(t *testing.T, e env, email, role, org, password string) {
	t.Helper()
	args := []string{"add-user", "--email", email, "--name", "Test " + role, "--role", role}
	if org != "" {
		args = append(args, "--organisation", org)
	}
	var out bytes.Buffer
	if err := addUser(context.Background(), args[1:], e.getenv, strings.NewReader(password+"\n"), &out); err != nil {
		t.Fatalf("add-user %s: %v", email, err)
	}
}

func TestStaffAddUser(t *testing.T) {
	e := sqliteEnv(t)
	addStaff(t, e, "First.Admin@Example.org", "admin", "", "a long admin password")
	for _, tc := range []struct {
		args     []string
		password string
		says     string
	}{
		{[]string{"--email", "first.admin@example.org", "--name", "Again", "--role", "admin"}, "another long password", "already an account"},
		{[]string{"--email", "b@example.org", "--name", "B", "--role", "admin"}, "too short", "at least 12 characters"},
		{[]string{"--email", "b@example.org", "--name", "B", "--role", "admin"}, "", "no password"},
		{[]string{"--email", "b@example.org", "--name", "B", "--role", "root"}, "a long enough password", "choose a role"},
		{[]string{"--email", "b@example.org", "--name", "B", "--role", "coordinator"}, "a long enough password", "organisation"},
		{[]string{"--email", "not-an-email", "--name", "B", "--role", "analyst"}, "a long enough password", "email address"},
	} {
		err := addUser(context.Background(), tc.args, e.getenv, strings.NewReader(tc.password+"\n"), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("add-user %v: error %v, want one saying %q", tc.args, err, tc.says)
		}
	}
	if err := run(context.Background(), []string{"add-user", "--bogus"}, e.getenv, io.Discard, io.Discard); !errors.Is(err, errUsage) {
		t.Errorf("add-user --bogus: %v, want usage", err)
	}

	st := storeOf(t, e)
	a, err := st.AccountByEmail(context.Background(), "first.admin@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if a.Role != "admin" || a.Name != "Test admin" || strings.Contains(a.PasswordHash, "long admin") {
		t.Errorf("stored account %+v", a)
	}
	if ok, _ := auth.VerifyPassword(a.PasswordHash, "a long admin password"); !ok {
		t.Error("the stored hash does not verify the password given")
	}
	all, _ := st.Accounts(context.Background())
	if len(all) != 1 {
		t.Errorf("%d accounts stored, want 1", len(all))
	}
	log, _ := st.AuditLog(context.Background(), 10)
	if len(log) != 1 || log[0].Action != "created user" || log[0].Target != "first.admin@example.org (admin)" {
		t.Errorf("audit log %+v", log)
	}
}

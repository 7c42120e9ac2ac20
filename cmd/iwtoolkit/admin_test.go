package main

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// postFrom posts a form to action with the CSRF token of the page at
// from, as a browser submitting a form on that page would.
func (b *browser) postFrom(from, action string, form url.Values) page {
	b.t.Helper()
	f := url.Values{"csrf_token": {csrfOf(b.t, b.get(from))}}
	for k, v := range form {
		f[k] = v
	}
	return b.post(action, f)
}

// hasAudit fails the test unless an audit entry ("actor action target")
// contains want.
func hasAudit(t *testing.T, e env, want string) {
	t.Helper()
	log := auditActions(t, e)
	if !slices.ContainsFunc(log, func(a string) bool { return strings.Contains(a, want) }) {
		t.Errorf("no audit entry with %q in\n%s", want, strings.Join(log, "\n"))
	}
}

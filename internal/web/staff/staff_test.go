package staff

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzSafeNext checks that the sign-in page's return address can only
// lead to a staff page or a report on this site.
func FuzzSafeNext(f *testing.F) {
	for _, seed := range []string{"/staff", "/staff/users", "/r/integrated-working?a=baseline&b=follow-up",
		"//evil.example/staff", "/\\evil.example", "https://evil.example/staff", "/staff/../../x", "/r/%2F%2Fevil", "/staff\r\nSet-Cookie: x"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got == "" {
			return
		}
		if got != next {
			t.Fatalf("safeNext(%q) = %q: changed, not kept or dropped", next, got)
		}
		u, err := url.Parse(got)
		if err != nil {
			return // a browser cannot follow it either
		}
		if u.Host != "" || u.Scheme != "" || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\r\n") {
			t.Fatalf("safeNext(%q) kept an address that leaves the site: %+v", next, u)
		}
		if got != "/staff" && !strings.HasPrefix(got, "/staff/") && !strings.HasPrefix(got, "/r/") {
			t.Fatalf("safeNext(%q) kept an address outside the staff pages and reports", next)
		}
	})
}

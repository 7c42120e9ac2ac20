package about_test

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"iwtoolkit/internal/web/about"
	"iwtoolkit/internal/webtest"
)

// The three pages the law expects are public, name who runs the service
// and how to reach them (IWT_ORGANISATION, IWT_CONTACT_EMAIL), and, with
// no contact set, say to contact the organisation; with no organisation
// set, they name the default.
func TestPagesNameWhoRunsTheService(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		o          about.Options
		org, reach string
	}{
		{about.Options{Organisation: "Northshire Children's Trust", Contact: "data@northshire.example"},
			"Northshire Children's Trust", `<a class="govuk-link" href="mailto:data@northshire.example">data@northshire.example</a>`},
		{about.Options{Organisation: "Northshire Children's Trust"}, "Northshire Children's Trust", "contact Northshire Children's Trust."},
		{about.Options{}, about.DefaultOrganisation, "contact " + about.DefaultOrganisation + "."},
	} {
		e := webtest.SQLite(t)
		p, err := about.New(tc.o)
		if err != nil {
			t.Fatal(err)
		}
		e.Serve(p.Register)
		b := e.Browser() // nobody signed in
		for path, title := range map[string]string{"/accessibility": "Accessibility statement", "/privacy": "Privacy notice", "/cookies": "Cookies"} {
			page := b.Get(path).Must(http.StatusOK)
			if !strings.Contains(page.Body, "<title>"+title) {
				t.Errorf("%s: not titled %q", path, title)
			}
			if path == "/cookies" {
				continue
			}
			if s := page.Text(); !strings.Contains(s, tc.org) {
				t.Errorf("%s with %+v does not name %q", path, tc.o, tc.org)
			}
			if !strings.Contains(page.Body, tc.reach) && !strings.Contains(strings.ToLower(page.Text()), strings.ToLower(tc.reach)) {
				t.Errorf("%s with %+v does not say %q", path, tc.o, tc.reach)
			}
		}
	}
}

// /cookies lists every cookie the service sets (docs/data-protection.md):
// every cookie name in the service's code is on the page, with why it is
// set and when it goes, and the page lists no other.
func TestCookiesPageListsEveryCookie(t *testing.T) {
	t.Parallel()
	set := map[string]bool{} // iwt_ names in the service's Go code
	name := regexp.MustCompile(`"(iwt_[a-z_]+)"`)
	root := webtest.Root()
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
			strings.Contains(path, filepath.Join("internal", "load")) || strings.Contains(path, filepath.Join("internal", "web", "about")) {
			return err // the load generator reads the cookies; about lists them
		}
		src, err := os.ReadFile(path)
		for _, m := range name.FindAllStringSubmatch(string(src), -1) {
			set[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(set) < 6 {
		t.Fatalf("found %d cookie names in the code: %v", len(set), set)
	}
	e := webtest.SQLite(t)
	p, err := about.New(about.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.Serve(p.Register)
	page := e.Browser().Get("/cookies").Must(http.StatusOK)
	var listed []string
	for _, c := range about.Cookies {
		listed = append(listed, c.Name)
		if c.Purpose == "" || c.Expires == "" {
			t.Errorf("cookie %s: no purpose or expiry", c.Name)
		}
		if !strings.Contains(page.Body, c.Name) || !strings.Contains(page.Text(), c.Expires) {
			t.Errorf("/cookies does not show %s and when it goes", c.Name)
		}
	}
	for n := range set {
		if !slices.Contains(listed, n) {
			t.Errorf("the service sets the cookie %s, which /cookies does not list", n)
		}
	}
	if len(listed) != len(set) {
		t.Errorf("/cookies lists %v; the code sets %v", listed, set)
	}
}

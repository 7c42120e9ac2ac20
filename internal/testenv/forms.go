package testenv

import (
	"regexp"
	"strings"
)

var (
	formRe  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	postRe  = regexp.MustCompile(`(?i)\bmethod="post"`)
	tokenRe = regexp.MustCompile(`name="csrf_token" value="[^"]+"`)
	actRe   = regexp.MustCompile(`(?i)\baction="([^"]*)"`)
)

// FormsWithoutToken returns the action of each form in an HTML page that
// posts without a filled csrf_token field: a page model made without the
// request's token (web.Page.CSRF), whose form the service would refuse
// when sent. The tests' browsers check every page they fetch with it, so
// that the service need not scan every page it renders.
func FormsWithoutToken(html string) []string {
	if !strings.Contains(html, "<form") {
		return nil
	}
	var bad []string
	for _, m := range formRe.FindAllStringSubmatch(html, -1) {
		if postRe.MatchString(m[1]) && !tokenRe.MatchString(m[2]) {
			action := "(no action)"
			if a := actRe.FindStringSubmatch(m[1]); a != nil {
				action = a[1]
			}
			bad = append(bad, action)
		}
	}
	return bad
}

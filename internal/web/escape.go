package web

import (
	"bytes"
	"net/url"
	"strings"
)

// Escape writes s with the characters that could end a quoted attribute
// or start a tag or entity escaped, as template.HTMLEscapeString does,
// without making a copy when there are none. Every text the Go-written
// pages write goes through it; markup_test.go checks they do.
func Escape(w *bytes.Buffer, s string) {
	// Most texts (labels, hints, ids, values) have nothing to escape: one
	// look at each byte in a table, then one write. It was a switch on each
	// byte and a write of each piece, and 12% of a grid page's CPU.
	i := 0
	for i < len(s) && !escapes[s[i]] {
		i++
	}
	if i == len(s) {
		w.WriteString(s)
		return
	}
	last := 0
	for ; i < len(s); i++ {
		if !escapes[s[i]] {
			continue
		}
		var to string
		switch s[i] {
		case '"':
			to = "&#34;"
		case '\'':
			to = "&#39;"
		case '&':
			to = "&amp;"
		case '<':
			to = "&lt;"
		case '>':
			to = "&gt;"
		case 0:
			to = "\uFFFD"
		}
		w.WriteString(s[last:i])
		w.WriteString(to)
		last = i + 1
	}
	w.WriteString(s[last:])
}

// escapes are the bytes Escape replaces.
var escapes = [256]bool{'"': true, '\'': true, '&': true, '<': true, '>': true, 0: true}

// Href writes an address for an href or src attribute, escaped, as long
// as it is one a page may link to: a path on this service, or an address
// of http, https, mailto or tel. Anything else (javascript:, data:, an
// address that will not parse) is written as "#", as html/template writes
// "#ZgotmplZ" in its place: a survey file or a stored value can never
// make a link that runs script.
func Href(w *bytes.Buffer, addr string) {
	if !SafeURL(addr) {
		w.WriteString("#")
		return
	}
	Escape(w, addr)
}

// SafeURL says whether an address may be linked to (see Href).
func SafeURL(addr string) bool {
	if strings.HasPrefix(addr, "/") && !strings.HasPrefix(addr, "//") || strings.HasPrefix(addr, "#") || strings.HasPrefix(addr, "?") {
		return !strings.ContainsAny(addr, "\\\x00")
	}
	u, err := url.Parse(addr)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.Host != ""
	case "mailto", "tel":
		return true
	}
	return false
}

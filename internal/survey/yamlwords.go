package survey

import (
	"reflect"
	"regexp"
	"sort"
	"strings"
)

// plainYAML turns the YAML library's account of a mistake into what a
// survey writer can act on: the line the mistake is on (the library often
// names a line before or long after it) and what to do, in plain words.
// Anything it does not recognise keeps the library's words.
func plainYAML(data []byte, line int, message string) (int, string) {
	lines := strings.Split(string(data), "\n")
	text := func(n int) string {
		if n >= 1 && n <= len(lines) {
			return lines[n-1]
		}
		return ""
	}
	indent := func(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }
	// An opening quote never closed swallows the lines after it, and the
	// library notices only where the text runs into a key.
	if open := unclosedQuote(lines, line); open > 0 &&
		(strings.Contains(message, "pre-defined") || strings.Contains(message, "could not find end character") || strings.Contains(message, "not allowed in this context")) {
		return open, "this text opens a quotation mark (\") that is never closed: end the text with a closing quotation mark on the same line"
	}
	switch {
	case strings.Contains(message, "found character '\t'"):
		return line, "this line has a tab: YAML allows only spaces here, so replace the tab with spaces"
	case strings.Contains(message, "',' or '}' must be specified"), strings.Contains(message, "',' or ']' must be specified"), strings.Contains(message, "could not find flow"):
		// The library names the line after the one left open.
		for n := line; n >= 1 && n >= line-1; n-- {
			if t := text(n); strings.Count(t, "[")+strings.Count(t, "{") > strings.Count(t, "]")+strings.Count(t, "}") {
				line = n
				break
			}
		}
		return line, "a list or group written on one line, in [ ] or { }, is not closed properly: check that each text in it has both its quotation marks, that items are separated by commas, and that it ends with its ] or }"
	case strings.Contains(message, "mapping value is not allowed in this context"):
		// The library names the line before the one indented too far.
		if next := text(line + 1); next != "" && indent(next) > indent(text(line)) && !strings.HasSuffix(strings.TrimSpace(text(line)), ":") {
			line++
		}
		return line, "this line is indented further than the line above allows: line it up with the other fields of the same question or section (count the spaces at the start of the line), or put a colon and space after the field above"
	case strings.Contains(message, "value is not allowed in this context"):
		return line, "this line's indentation does not match the lines around it: line it up with the other fields of the same question or section (count the spaces at the start of the line)"
	case strings.Contains(message, "non-map value is specified"):
		if m := missingSpace.FindStringSubmatch(text(line)); m != nil {
			return line, "put a space after the colon: write \"" + m[1] + ": " + m[2] + "\", not \"" + m[1] + ":" + m[2] + "\""
		}
		return line, "this line should be a field, written as name: value, with a space after the colon"
	case strings.Contains(message, "cannot unmarshal"):
		field, value := fieldOn(text(line))
		switch {
		case strings.HasSuffix(message, "of type bool"):
			return line, field + " must be true or false, not " + quote(value)
		case strings.Contains(message, "of type int"), strings.Contains(message, "of type *int"):
			return line, field + " must be a whole number, not " + quote(value)
		case strings.Contains(message, "of type []"):
			return line, field + " must be a list: each item on its own line starting with \"- \", or [a, b] on one line"
		case strings.Contains(message, "into Go struct field") || strings.Contains(message, "of type map"):
			return line, field + " must be a group of fields (name: value) on the lines below it, indented, not " + quote(value)
		}
	case strings.Contains(message, "unknown field"):
		if m := unknownField.FindStringSubmatch(message); m != nil {
			switch near := nearestField(m[1]); {
			case near == m[1]:
				return line, m[1] + " is a field, but not of the part of the file it is in: check its indentation against the lines around it (docs/surveys.md says where each field goes)"
			case near != "":
				return line, m[1] + ": did you mean " + near + "? " + m[1] + " is not a field survey files have (docs/surveys.md lists every field)"
			}
			return line, m[1] + " is not a field survey files have: check its spelling and its indentation (docs/surveys.md lists every field)"
		}
	}
	return line, message
}

var (
	missingSpace = regexp.MustCompile(`^\s*-?\s*([A-Za-z_]+):(\S.*)$`)
	unknownField = regexp.MustCompile(`unknown field "([^"]+)"`)
	fieldLine    = regexp.MustCompile(`^\s*-?\s*([A-Za-z_]+):\s*(.*)$`)
)

func fieldOn(s string) (field, value string) {
	if m := fieldLine.FindStringSubmatch(s); m != nil {
		return m[1], strings.TrimSpace(m[2])
	}
	return "this field", strings.TrimSpace(s)
}

func quote(s string) string { return "\"" + s + "\"" }

// unclosedQuote finds, at or before line, the last line whose value opens a
// double quotation mark it does not close; 0 if none.
func unclosedQuote(lines []string, line int) int {
	for n := min(line, len(lines)); n >= 1; n-- {
		_, value := fieldOn(lines[n-1])
		if v := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[n-1]), "- ")); value == "" {
			value = v
		}
		if strings.HasPrefix(value, `"`) && strings.Count(strings.ReplaceAll(value, `\"`, ""), `"`)%2 == 1 {
			return n
		}
	}
	return 0
}

// hashWarnings finds unquoted texts that a # cuts short: in YAML " #"
// starts a comment, so "Rate how well we work (# of meetings)" keeps only
// "Rate how well we work (". They are warnings: a comment after a text
// may be meant.
func hashWarnings(file string, data []byte) Problems {
	var out Problems
	for i, l := range strings.Split(string(data), "\n") {
		field, value := fieldOn(l)
		if !textFields[field] && field != "en" && field != "pl" && field != "cy" {
			continue
		}
		if value == "" || strings.HasPrefix(value, `"`) || strings.HasPrefix(value, "'") || strings.HasPrefix(value, "#") {
			continue
		}
		if j := strings.Index(value, " #"); j >= 0 {
			out = append(out, Problem{File: file, Line: i + 1, Message: "warning: " + field + ": the text stops at \" #\", since a # after a space starts a comment: put the whole text in quotation marks to keep \"" + strings.TrimSpace(value[j:]) + "\""})
		}
	}
	return out
}

// fieldNames are the names of every field a survey file may have, at any
// level, from the definition's types.
var fieldNames = func() []string {
	seen := map[string]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return
		}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" || seen[name] {
				continue
			}
			seen[name] = true
			walk(f.Type)
		}
	}
	walk(reflect.TypeOf(Definition{}))
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}()

// nearestField is the field name closest to a mistyped one: at most two
// letters added, left out, changed or swapped, and fewer than half of
// them; "" if none is that close.
func nearestField(name string) string {
	best, bestDistance := "", 3
	for _, f := range fieldNames {
		d := editDistance(strings.ToLower(name), f)
		if d < bestDistance && d*2 < len(f) {
			best, bestDistance = f, d
		}
	}
	return best
}

// editDistance counts the letters added, left out, changed or swapped
// with the next to make a into b (optimal string alignment distance).
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

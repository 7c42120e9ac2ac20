package survey

import (
	"regexp"
	"strings"
)

// The slips survey writers make most in YAML, found line by line when the
// YAML library cannot read a file. The library stops at the first one,
// often lines after it, in words about tokens and contexts; here each slip
// is named at its own line in plain words, and mended in a copy of the
// file so that reading can go on and find every other problem in one pass.
// A mended copy keeps every line where it was, so the lines of later
// problems are the file's own.

// slip is one common mistake on one line of a survey file.
type slip struct {
	line    int // 1-based
	message string
	mended  bool // the copy is mended, so reading can go on past it
}

// keyLine is a line that starts a field: its indentation, an optional list
// dash, the field's name, and what follows the colon.
var keyLine = regexp.MustCompile(`^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_-]*):(?:\s+(.*))?$`)

// findSlips finds the common slips in a file's lines and returns them with
// a copy of the lines in which each slip it can mend is mended.
func findSlips(lines []string) ([]slip, []string) {
	mended := append([]string(nil), lines...)
	var slips []slip
	var columns []int // where the lines so far start, for a tab's width
	block := -1       // inside a block of text (| or >): its field's indentation
	for i, l := range lines {
		trimmed := strings.TrimLeft(l, " \t")
		indent := len(l) - len(trimmed)
		if block >= 0 {
			if trimmed == "" || width(l[:indent], 1) > block {
				continue // a line of the text itself: anything goes
			}
			block = -1
		}
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if strings.Contains(l[:indent], "\t") {
			fixed := strings.Repeat(" ", tabWidth(l[:indent], columns)) + trimmed
			slips = append(slips, slip{i + 1, "this line is indented with a tab: YAML counts only spaces, so replace the tab with spaces, lining the line up with the lines around it", true})
			mended[i], l = fixed, fixed
			indent = len(l) - len(trimmed)
		}
		m := keyLine.FindStringSubmatch(l)
		if m == nil {
			columns = append(columns, indent)
			if item := strings.TrimSpace(strings.TrimPrefix(trimmed, "-")); strings.HasPrefix(trimmed, "- ") && strings.HasPrefix(item, "{") {
				if s, fixed := flowSlip(item); s != "" { // - {value: 1, label: …}
					sl := slip{line: i + 1, message: s, mended: fixed != ""}
					if sl.mended {
						mended[i] = l[:len(l)-len(item)] + fixed
					}
					slips = append(slips, sl)
				}
			}
			continue
		}
		columns = append(columns, len(m[1]))
		field, value := m[2], m[3]
		if v := strings.TrimSpace(stripComment(value)); v == "|" || v == ">" || strings.HasPrefix(v, "|") || strings.HasPrefix(v, ">") {
			block = width(m[1], 1) // the text's lines are indented further than its field
			continue
		}
		if s, fixed := valueSlip(field, value, lines[i+1:]); s != "" {
			sl := slip{line: i + 1, message: s}
			if fixed != "" {
				mended[i], sl.mended = m[1]+field+": "+fixed, true
			}
			slips = append(slips, sl)
		}
	}
	return slips, mended
}

// valueSlip names the slip in a field's value, if any, and gives the
// value mended ("" when it cannot be mended). rest are the lines after.
func valueSlip(field, value string, rest []string) (message, fixed string) {
	if value == "" {
		return "", ""
	}
	switch value[0] {
	case '"':
		end := closingDouble(value)
		if end < 0 {
			if !swallows(rest) {
				return "", "" // a text in quotation marks may go on to the next line
			}
			return "this text opens a quotation mark (\") that is never closed: end the text with a closing quotation mark on the same line", strings.TrimRight(value, " ") + `"`
		}
	case '\'':
		end := closingSingle(value)
		if end < 0 {
			if !swallows(rest) {
				return "", ""
			}
			return "this text opens a quotation mark (') that is never closed: end the text with a closing quotation mark on the same line", strings.TrimRight(value, " ") + "'"
		}
		after := strings.TrimSpace(value[end+1:])
		if after == "" || strings.HasPrefix(after, "#") {
			return "", ""
		}
		// The text went on after its closing mark: that mark was an
		// apostrophe, which ends a text in single quotation marks.
		word := value[strings.LastIndexAny(value[:end], " '")+1 : end+1+len(firstWord(value[end+1:]))]
		text := strings.TrimSpace(stripComment(value))
		inner := strings.ReplaceAll(strings.Trim(text, "'"), "''", "'")
		return field + ": the apostrophe in \"" + word + "\" ends the text, because the text starts with a single quotation mark ('): put the text in double quotation marks instead, " + field + ": \"" + inner + "\"", doubleQuoted(inner)
	case '{':
		return flowSlip(value)
	case '[', '&', '*', '!', '|', '>':
		return "", ""
	}
	text := strings.TrimSpace(stripComment(value))
	if strings.Contains(text, ": ") || strings.HasSuffix(text, ":") {
		return field + ": the text has a colon (:) in it, which YAML reads as the start of another field: put the whole text in quotation marks, " + field + ": \"" + text + "\"", doubleQuoted(text)
	}
	return "", ""
}

// swallows says whether an unclosed quotation mark swallows the field on
// the next line (or the end of the file): a text in quotation marks may go
// on over several lines, but not over a field.
func swallows(rest []string) bool {
	for _, l := range rest {
		if strings.TrimSpace(l) == "" {
			continue
		}
		return keyLine.MatchString(l) || strings.HasPrefix(strings.TrimSpace(l), "- ")
	}
	return true
}

// closingDouble is the index of the quotation mark closing a text that
// starts with one, or -1.
func closingDouble(v string) int {
	for i := 1; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// closingSingle is the same for a text in single quotation marks, in which
// ” is an apostrophe.
func closingSingle(v string) int {
	for i := 1; i < len(v); i++ {
		if v[i] != '\'' {
			continue
		}
		if i+1 < len(v) && v[i+1] == '\'' {
			i++
			continue
		}
		return i
	}
	return -1
}

// stripComment cuts a comment (a # after a space) from a plain value.
func stripComment(v string) string {
	if strings.HasPrefix(v, "#") {
		return ""
	}
	if i := strings.Index(v, " #"); i >= 0 {
		return v[:i]
	}
	return v
}

// flowSlip finds an unclosed quotation mark or an apostrophe that ends a
// text early in a mapping written on one line, {en: …, pl: …}. A wording
// ends at the next ", name:" or at the closing brace, which is where the
// writer meant it to end when mending it.
func flowSlip(value string) (message, fixed string) {
	for _, m := range flowWording.FindAllStringSubmatchIndex(value, -1) {
		field, start := value[m[2]:m[3]], m[4]
		end := len(value)
		if next := nextFlowKey.FindStringIndex(value[start:]); next != nil {
			end = start + next[0]
		} else if j := strings.LastIndex(value, "}"); j > start {
			end = j
		}
		segment := strings.TrimSpace(value[start:end])
		closing := closingDouble
		if value[start] == '\'' {
			closing = closingSingle
		} else if value[start] != '"' {
			continue
		}
		c := closing(value[start:])
		if c >= 0 && strings.IndexAny(strings.TrimLeft(value[start+c+1:], " ")+",", ",}]") == 0 {
			continue // closed where a wording may end
		}
		inner := strings.ReplaceAll(strings.Trim(segment, "'\""), "''", "'")
		fixed = value[:start] + doubleQuoted(inner) + value[end:]
		if c < 0 || value[start] == '"' {
			return field + ": this text opens a quotation mark (" + value[start:start+1] + ") that is never closed: end the text with a closing quotation mark, " + field + ": " + doubleQuoted(inner), fixed
		}
		word := value[start:][strings.LastIndexAny(value[start:start+c], " '")+1 : c+1+len(firstWord(value[start+c+1:]))]
		return field + ": the apostrophe in \"" + word + "\" ends the text, because the text starts with a single quotation mark ('): put the text in double quotation marks instead, " + field + ": " + doubleQuoted(inner), fixed
	}
	return "", ""
}

var (
	flowWording = regexp.MustCompile(`[{,]\s*([A-Za-z_][A-Za-z0-9_-]*):\s+(\S)`)
	nextFlowKey = regexp.MustCompile(`,\s*[A-Za-z_][A-Za-z0-9_-]*:\s`)
)

func firstWord(s string) string {
	if i := strings.IndexAny(s, " ,}]'"); i >= 0 {
		return s[:i]
	}
	return s
}

func doubleQuoted(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// width is the width of an indentation, counting a tab as tab spaces.
func width(indent string, tab int) int {
	return len(indent) + strings.Count(indent, "\t")*(tab-1)
}

// tabWidth guesses how wide the writer meant an indentation with a tab in
// it to be, counting a tab as 2, 4 or 8 spaces: the width that lines it up
// with the line above, or goes one step (2 spaces) further, or lines it up
// with a line further up (the writer's editor showed it lined up).
func tabWidth(indent string, above []int) int {
	var want []int
	if n := len(above); n > 0 {
		want = append(want, above[n-1], above[n-1]+2)
	}
	for j := len(above) - 2; j >= 0; j-- {
		want = append(want, above[j])
	}
	for _, w := range want {
		for _, tab := range []int{2, 4, 8} {
			if width(indent, tab) == w {
				return w
			}
		}
	}
	return width(indent, 2)
}

package survey

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"
)

// The service's own words (buttons, headings, error messages) are in
// words/, one file per language, named by its code (en.json, pl.json,
// cy.json): adding a language is adding a file. Each holds the language's
// name, whether a native speaker has checked the wording, and every key
// (a test checks none is missing).
//
//go:embed words/*.json
var wordFiles embed.FS

type wordFile struct {
	Name    string            `json:"name"`    // in the language itself: Cymraeg
	English string            `json:"english"` // in English: Welsh
	Checked bool              `json:"checked"`
	Words   map[string]string `json:"words"`
}

// Languages the service's own words are written in, English first. A
// survey may be translated into any of them; its own wording is in its
// file.
var Languages []Option

// Unchecked are the languages whose words no native speaker has checked
// yet: docs/surveys.md asks for that before they are used with the public.
var Unchecked []string

// messages are the service's own words, by language and key.
var messages = map[string]map[string]string{}

// languageNames are each language's code by its names, its own and in
// English, in lower case.
var languageNames = map[string]string{}

// LanguageCode reads a language as people write it in a list: its code
// (cy), its name in English (Welsh) or its own name (Cymraeg), in any
// case. ok is false for a language the service has no words in.
func LanguageCode(v string) (code string, ok bool) {
	v = strings.ToLower(strings.TrimSpace(v))
	if _, ok := messages[v]; ok {
		return v, true
	}
	code, ok = languageNames[v]
	return code, ok
}

// LanguageList names the languages of codes the service has words in, in
// the order of Languages, for staff: "cy (Cymraeg), en (English) and pl
// (Polski)" with last "and".
func LanguageList(codes []string, last string) string {
	var parts []string
	for _, l := range Languages {
		if slices.Contains(codes, l.Value) {
			parts = append(parts, l.Value+" ("+l.Label+")")
		}
	}
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " " + last + " " + parts[len(parts)-1]
}

// LanguageName is a language's own name (Cymraeg), or its code when the
// service has no words in it.
func LanguageName(code string) string {
	for _, l := range Languages {
		if l.Value == code {
			return l.Label
		}
	}
	return code
}

func init() {
	entries, err := fs.ReadDir(wordFiles, "words")
	if err != nil {
		panic(err) // embedded: cannot fail
	}
	for _, e := range entries {
		lang := strings.TrimSuffix(e.Name(), ".json")
		data, _ := wordFiles.ReadFile("words/" + e.Name())
		var f wordFile
		if err := json.Unmarshal(data, &f); err != nil {
			panic(fmt.Sprintf("survey: words/%s: %v", e.Name(), err)) // caught by the tests
		}
		messages[lang] = f.Words
		languageNames[strings.ToLower(f.Name)], languageNames[strings.ToLower(f.English)] = lang, lang
		Languages = append(Languages, Option{Value: lang, Label: f.Name})
		if !f.Checked {
			Unchecked = append(Unchecked, lang)
		}
	}
	slices.SortStableFunc(Languages, func(a, b Option) int {
		switch {
		case a.Value == b.Value:
			return 0
		case a.Value == "en":
			return -1
		case b.Value == "en":
			return 1
		}
		return strings.Compare(a.Value, b.Value)
	})
}

// Message returns the service's wording for key in lang (English when lang
// is not one of Languages), formatted with args.
func Message(lang, key string, args ...any) string {
	m, ok := messages[lang][key]
	if !ok {
		m = messages["en"][key]
	}
	if len(args) == 0 {
		return m
	}
	return fmt.Sprintf(m, args...)
}

// Date is a day in lang's words, as GOV.UK writes dates: "2 December
// 2026", "2 grudnia 2026".
func Date(lang string, t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), Message(lang, fmt.Sprintf("month-%d", t.Month())), t.Year())
}

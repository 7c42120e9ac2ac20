package survey

import "fmt"

// Languages the service's own words (buttons, error messages, headings) are
// written in. A survey may be translated into any of them; its own wording
// is in its file.
var Languages = []Option{
	{Value: "en", Label: "English"},
	{Value: "pl", Label: "Polski"},
}

// messages are the service's own words, by language and key. The Polish
// wording must be checked by a native speaker before it is used with the
// public (see docs/surveys.md).
var messages = map[string]map[string]string{
	"en": {
		"continue":           "Continue",
		"back":               "Back",
		"save-and-continue":  "Save and continue",
		"save-and-return":    "Save and come back later",
		"start-now":          "Start now",
		"send":               "Send your answers",
		"check-title":        "Check your answers before sending them",
		"change":             "Change",
		"not-answered":       "Not answered",
		"dont-know":          "Don't know",
		"not-applicable":     "Not applicable",
		"prefer-not-to-say":  "Prefer not to say",
		"yes":                "Yes",
		"no":                 "No",
		"or":                 "or",
		"error":              "Error",
		"problem":            "There is a problem",
		"stop":               "Stop and leave this survey",
		"part-of":            "%s: part %d of %d",
		"optional":           "(optional)",
		"select-all":         "Select all that apply.",
		"no-names":           "Do not include names or anything that could identify a child, family or colleague.",
		"up-to-chars":        "You can enter up to %d characters",
		"err-required":       "Answer ‘%s’",
		"err-choose":         "Select an answer to ‘%s’",
		"err-rate":           "Select a rating for ‘%s’",
		"err-not-offered":    "Select one of the answers given for ‘%s’",
		"err-none-and-other": "For ‘%s’, select “%s” or other answers, not both",
		"err-number":         "Enter ‘%s’ as a whole number, like 12",
		"err-min":            "‘%s’ must be %d or more",
		"err-max":            "‘%s’ must be %d or less",
		"err-length":         "‘%s’ must be %d characters or fewer: it has %d",
		"err-pattern":        "Enter ‘%s’ in the form asked for",
		"language":           "Language",
	},
	"pl": {
		"continue":           "Dalej",
		"back":               "Wstecz",
		"save-and-continue":  "Zapisz i przejdź dalej",
		"save-and-return":    "Zapisz i wróć później",
		"start-now":          "Rozpocznij",
		"send":               "Wyślij odpowiedzi",
		"check-title":        "Sprawdź odpowiedzi przed wysłaniem",
		"change":             "Zmień",
		"not-answered":       "Brak odpowiedzi",
		"dont-know":          "Nie wiem",
		"not-applicable":     "Nie dotyczy",
		"prefer-not-to-say":  "Wolę nie mówić",
		"yes":                "Tak",
		"no":                 "Nie",
		"or":                 "lub",
		"error":              "Błąd",
		"problem":            "Wystąpił problem",
		"stop":               "Przerwij i opuść ankietę",
		"part-of":            "%s: część %d z %d",
		"optional":           "(opcjonalnie)",
		"select-all":         "Zaznacz wszystkie pasujące odpowiedzi.",
		"no-names":           "Nie podawaj imion ani niczego, co pozwoliłoby rozpoznać dziecko, rodzinę lub inną osobę.",
		"up-to-chars":        "Możesz wpisać do %d znaków",
		"err-required":       "Odpowiedz na pytanie „%s”",
		"err-choose":         "Wybierz odpowiedź na pytanie „%s”",
		"err-rate":           "Wybierz ocenę dla „%s”",
		"err-not-offered":    "Wybierz jedną z podanych odpowiedzi na pytanie „%s”",
		"err-none-and-other": "W pytaniu „%s” zaznacz „%s” albo inne odpowiedzi, nie jedno i drugie",
		"err-number":         "Wpisz odpowiedź na pytanie „%s” jako liczbę całkowitą, np. 12",
		"err-min":            "Odpowiedź na pytanie „%s” musi wynosić co najmniej %d",
		"err-max":            "Odpowiedź na pytanie „%s” może wynosić najwyżej %d",
		"err-length":         "Odpowiedź na pytanie „%s” może mieć najwyżej %d znaków: ma %d",
		"err-pattern":        "Wpisz odpowiedź na pytanie „%s” w podanej formie",
		"language":           "Język",
	},
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

package survey

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestEmailWording: a survey file's email block is read, and translated
// like every other text.
func TestEmailWording(t *testing.T) {
	b, err := os.ReadFile("../../surveys/young-people.yaml")
	if err != nil {
		t.Fatal(err)
	}
	block := "\nemail:\n  asking:\n    en: Haringey Children's Trust\n    pl: Haringey Children's Trust\n  subject:\n    en: \"Tell us: {title}\"\n    pl: \"Powiedz nam: {title}\"\n  reminder_days: [7, 14]\nhow_answers_are_used:"
	s := strings.Replace(string(b), "\nhow_answers_are_used:", block, 1)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "young-people.yaml"), []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadDir(os.DirFS(dir), dir)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.Survey("young-people")
	if d.Email == nil || d.Email.Subject != "Tell us: {title}" || d.Email.Asking != "Haringey Children's Trust" || len(d.Email.ReminderDays) != 2 {
		t.Fatalf("email: %+v", d.Email)
	}
	if pl := d.In("pl"); pl.Email == nil || pl.Email.Subject != "Powiedz nam: {title}" {
		t.Errorf("Polish email: %+v", pl.Email)
	}
}

// TestReminderDaysChecked: a schedule outside the limits staff have on the
// round's page is a problem at its line.
func TestReminderDaysChecked(t *testing.T) {
	b, err := os.ReadFile("../../surveys/young-people.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, days := range []string{"[0, 7]", "[7, 7]", "[400]", "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]"} {
		s := strings.Replace(string(b), "\nhow_answers_are_used:", "\nemail:\n  reminder_days: "+days+"\nhow_answers_are_used:", 1)
		_, problems := Parse("surveys/young-people.yaml", []byte(s))
		line := strings.Count(s[:strings.Index(s, "  reminder_days:")], "\n") + 1
		want := "surveys/young-people.yaml:" + strconv.Itoa(line) + ": reminder_days must be at most 10 different whole numbers of days from 1 to 365"
		if len(problems) != 1 || !strings.HasPrefix(problems[0].String(), want) {
			t.Errorf("reminder_days %s: %v, want %q", days, problems, want)
		}
	}
}

// TestEmailContactChecked: whom to ask must be usable (an address or a
// telephone number, one line); a bad one is a problem at its line.
func TestEmailContactChecked(t *testing.T) {
	b, err := os.ReadFile("../../surveys/training-needs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for contact, ok := range map[string]bool{
		`"Sam Patel, integrated.working@example.org"`:    true,
		`"The workforce team on 020 7946 0000"`:          true,
		`"Sam Patel"`:                                    false,
		`"ask your manager"`:                             false,
		`"` + strings.Repeat("a", 200) + `@example.org"`: false,
	} {
		s := strings.Replace(string(b), "\nhow_answers_are_used:", "\nemail:\n  contact: "+contact+"\nhow_answers_are_used:", 1)
		_, problems := Parse("surveys/training-needs.yaml", []byte(s))
		if ok {
			if len(problems) != 0 {
				t.Errorf("contact %s: %v", contact, problems)
			}
			continue
		}
		line := strings.Count(s[:strings.Index(s, "  contact:")], "\n") + 1
		want := "surveys/training-needs.yaml:" + strconv.Itoa(line) + ": contact must be one line"
		if len(problems) != 1 || !strings.HasPrefix(problems[0].String(), want) {
			t.Errorf("contact %s: %v, want %q", contact, problems, want)
		}
	}
}

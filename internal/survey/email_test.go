package survey

import (
	"os"
	"path/filepath"
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

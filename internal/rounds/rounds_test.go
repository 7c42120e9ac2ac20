package rounds_test

import (
	"testing"

	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
)

func TestRemindersText(t *testing.T) {
	for _, tc := range []struct {
		r    store.Reminders
		want string
	}{
		{store.Reminders{}, "None"},
		{store.Reminders{Days: []int{7}, Most: 0}, "None"},
		{store.Reminders{Most: 3}, "Only when staff send them, at most 3 to one person"},
		{store.Reminders{Days: []int{1}, Most: 1}, "1 day after the invitation, at most 1 to one person, none once the round closes"},
		{store.Reminders{Days: []int{3, 7, 14}, Most: 4}, "3, 7 and 14 days after the invitation, at most 4 to one person, none once the round closes"},
	} {
		if got := rounds.RemindersText(tc.r); got != tc.want {
			t.Errorf("RemindersText(%+v) = %q, want %q", tc.r, got, tc.want)
		}
	}
}

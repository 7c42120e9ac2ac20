package config

import (
	"slices"
	"strings"
	"testing"
)

func TestSubmitLimitAndTrustedProxy(t *testing.T) {
	env := map[string]string{"IWT_SUBMIT_LIMIT": "0", "IWT_TRUSTED_PROXY": " 10.0.0.0/8, 192.168.1.5 ,"}
	c, err := Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.SubmitLimit != 0 {
		t.Errorf("IWT_SUBMIT_LIMIT=0 gave %d", c.SubmitLimit)
	}
	if got := c.TrustedProxies(); !slices.Equal(got, []string{"10.0.0.0/8", "192.168.1.5"}) {
		t.Errorf("TrustedProxies() = %q", got)
	}
	for name, value := range map[string]string{"IWT_SUBMIT_LIMIT": "-1", "IWT_TRUSTED_PROXY": "lb.example"} {
		_, err := Load(func(k string) string {
			if k == name {
				return value
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: error %v, want one naming the setting", name, value, err)
		}
	}
}

package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadDefaults(t *testing.T) {
	c, err := Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Listen: ":8080", Database: "iwtoolkit", DataDir: "./data", SurveysDir: "./surveys", BaseURL: "http://localhost:8080", DraftLifetime: 30 * 24 * time.Hour, SubmitLimit: 600,
		RespondentTimeout: 5 * time.Second, StaffTimeout: 2 * time.Minute, AfterSendTimeout: 30 * time.Second, MongoMaxPool: 100, MongoMinPool: 10, SMTPTLS: "starttls", MailInterval: 30 * time.Second, SurveyPoll: 10 * time.Second,
		Organisation: "The Children's Trust partnership", ServiceName: "Integrated Working Toolkit"}
	if c != want {
		t.Errorf("defaults %+v, want %+v", c, want)
	}
	if c.Secure() {
		t.Error("http base URL counted as secure")
	}
}

func TestLoadFromEnvironmentAndFiles(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "uri")
	if err := os.WriteFile(secret, []byte("mongodb://user:pw@db:27017\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"MONGODB_URI_FILE": secret,
		"IWT_BASE_URL":     "HTTPS://iwt.example.gov.uk/",
		"IWT_DATA_DIR":     "/var/lib/iwt",
	}
	c, err := Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.MongoURI != "mongodb://user:pw@db:27017" || c.DataDir != "/var/lib/iwt" || c.BaseURL != "https://iwt.example.gov.uk" || !c.Secure() {
		t.Errorf("loaded %+v", c)
	}
}

func TestSMTPPasswordFile(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "smtp")
	if err := os.WriteFile(secret, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"IWT_SMTP_HOST": "mail.example", "IWT_SMTP_FROM": "surveys@example.org", "IWT_SMTP_PASSWORD_FILE": secret, "IWT_SMTP_PORT": "2525"}
	c, err := Load(func(k string) string { return env[k] })
	if err != nil || c.SMTPPassword != "s3cret" || c.SMTPPort != 2525 || c.SMTPTLS != "starttls" {
		t.Errorf("loaded %+v, %v", c, err)
	}
}

func TestLoadRefusesBadValues(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"base URL without scheme":   {"IWT_BASE_URL": "iwt.example.gov.uk"},
		"missing secret file":       {"MONGODB_URI_FILE": "/no/such/file"},
		"timeout without a unit":    {"IWT_RESPONDENT_TIMEOUT": "5"},
		"timeout of zero":           {"IWT_STAFF_TIMEOUT": "0s"},
		"after-send timeout":        {"IWT_AFTER_SEND_TIMEOUT": "soon"},
		"pool of none":              {"IWT_MONGODB_POOL": "0"},
		"idle pool above the pool":  {"IWT_MONGODB_POOL": "5", "IWT_MONGODB_MIN_POOL": "6"},
		"SMTP TLS mode":             {"IWT_SMTP_TLS": "ssl"},
		"SMTP port":                 {"IWT_SMTP_PORT": "smtp"},
		"SMTP host without from":    {"IWT_SMTP_HOST": "mail.example"},
		"SMTP password unencrypted": {"IWT_SMTP_HOST": "mail.example", "IWT_SMTP_FROM": "a@example.org", "IWT_SMTP_TLS": "none", "IWT_SMTP_USERNAME": "iwt"},
		"SMTP and Notify":           {"IWT_SMTP_HOST": "mail.example", "IWT_SMTP_FROM": "a@example.org", "IWT_NOTIFY_API_KEY": "k", "IWT_NOTIFY_TEMPLATE_ID": "t"},
		"Notify without template":   {"IWT_NOTIFY_API_KEY": "k"},
	} {
		if _, err := Load(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "config:") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}

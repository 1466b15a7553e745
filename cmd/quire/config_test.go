package main

import (
	"flag"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// TestTimeZoneSetting: --timezone and QUIRE_TIMEZONE name the zone pages
// show dates in (UTC when neither is set, the flag over the environment); a
// name that is not a zone stops serve at once, saying what to give instead.
func TestTimeZoneSetting(t *testing.T) {
	for _, tc := range []struct {
		env  string
		args []string
		want string
	}{
		{"", nil, "(the site's setting)"},
		{"Pacific/Auckland", nil, "Pacific/Auckland"},
		{"Pacific/Auckland", []string{"--timezone", "Europe/Berlin"}, "Europe/Berlin"},
		{"Mars/Olympus_Mons", nil, ""},
		{"", []string{"--timezone", "Local"}, ""}, // the host's zone is what this setting replaces
	} {
		t.Setenv("QUIRE_TIMEZONE", tc.env)
		var cfg Config
		fs := newFlagSet("serve", "serve [flags]")
		cfg.serveFlags(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		err := cfg.finish()
		switch {
		case tc.want == "" && (err == nil || !strings.Contains(err.Error(), "IANA time zone")):
			t.Errorf("env %q, flags %q: error %v, want one asking for an IANA time zone", tc.env, tc.args, err)
		case tc.want != "" && err != nil:
			t.Errorf("env %q, flags %q: %v", tc.env, tc.args, err)
		case tc.env == "" && tc.args == nil && cfg.Zone != nil:
			t.Errorf("no zone given: %v, want none (the site's setting)", cfg.Zone)
		case tc.want != "" && cfg.Zone != nil && cfg.Zone.String() != tc.want:
			t.Errorf("env %q, flags %q: zone %v, want %s", tc.env, tc.args, cfg.Zone, tc.want)
		}
	}

	cmd := exec.Command(quireBin, "serve", "--data-dir", t.TempDir(), "--timezone", "Atlantis/Capital")
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), `--timezone "Atlantis/Capital"`) {
		t.Errorf("serve with an unknown zone: %v\n%s", err, out)
	}
}

// TestRegistrationSetting: --registration and QUIRE_REGISTRATION take open,
// invite or closed (the flag wins); anything else stops serve with a
// message naming the choices; unset leaves the site's setting in force.
func TestRegistrationSetting(t *testing.T) {
	parse := func(args ...string) (Config, error) {
		var c Config
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		c.serveFlags(fs)
		if err := fs.Parse(args); err != nil {
			return c, err
		}
		return c, c.finish()
	}
	t.Setenv("QUIRE_REGISTRATION", "invite")
	if c, err := parse(); err != nil || c.Registration != "invite" {
		t.Errorf("from the environment: %q, %v", c.Registration, err)
	}
	if c, err := parse("--registration", "open"); err != nil || c.Registration != "open" {
		t.Errorf("the flag over the environment: %q, %v", c.Registration, err)
	}
	if _, err := parse("--registration", "sometimes"); err == nil || err.Error() != `--registration "sometimes": use open, invite or closed` {
		t.Errorf("a wrong mode: %v", err)
	}
	t.Setenv("QUIRE_REGISTRATION", "")
	if c, err := parse(); err != nil || c.Registration != "" {
		t.Errorf("unset: %q, %v", c.Registration, err)
	}
}

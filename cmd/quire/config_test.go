package main

import (
	"flag"
	"io"
	"testing"
)

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

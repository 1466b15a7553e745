package backup

import "testing"

// TestSplitPassword: the password leaves the connection string (which
// pg_dump and psql show in the process list) for PGPASSWORD, in both of the
// forms QUIRE_DATABASE_URL takes.
func TestSplitPassword(t *testing.T) {
	for _, c := range []struct{ dsn, conninfo, password string }{
		{"postgres://quire:s3cret@db.example:5432/quire?sslmode=require", "postgres://quire@db.example:5432/quire?sslmode=require", "s3cret"},
		{"postgresql://quire@db/quire", "postgresql://quire@db/quire", ""},
		{"host=db user=quire password=s3cret dbname=quire", "host=db user=quire dbname=quire", "s3cret"},
		{"host=db password = 'it\\'s a secret' dbname=quire", "host=db dbname=quire", "it's a secret"},
		{"host='/run/my socket' dbname=quire", "host='/run/my socket' dbname=quire", ""},
	} {
		conninfo, password := splitPassword(c.dsn)
		if conninfo != c.conninfo || password != c.password {
			t.Errorf("splitPassword(%q) = %q, %q; want %q, %q", c.dsn, conninfo, password, c.conninfo, c.password)
		}
	}
}

func TestValidMember(t *testing.T) {
	const key = "5110691bacfd067a1549a58201e42a696adbff43384675c4bf214fba87b38174"
	for name, want := range map[string]bool{
		"manifest.json": true, "database.dump.000000": true, "database.dump.000012": true,
		"media/" + key + ".jpg": true, "media/" + key + "-w480.png": true,
		"database.dump.12": false, "media/../etc/passwd": false, "media/x/" + key + ".jpg": false, "../manifest.json": false,
	} {
		if got := validMember(name); got != want {
			t.Errorf("validMember(%q) = %v", name, got)
		}
	}
}

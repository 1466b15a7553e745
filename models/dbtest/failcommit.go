package dbtest

import (
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
)

// FailAtCommit makes every transaction that changes table by op (INSERT,
// UPDATE or DELETE) fail at its COMMIT, after all its statements ran (a
// deferred constraint trigger), so a test sees what an operation does when
// its transaction does not commit. The returned function removes it.
func FailAtCommit(t testing.TB, db *sqlx.DB, table, op string) (undo func()) {
	t.Helper()
	name := "fail_commit_" + table + "_" + strings.ToLower(op)
	exec := func(q string) {
		t.Helper()
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("dbtest: %s: %v", name, err)
		}
	}
	exec(`CREATE OR REPLACE FUNCTION ` + name + `() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN RAISE EXCEPTION 'injected failure at commit'; END $$`)
	exec(`CREATE CONSTRAINT TRIGGER ` + name + ` AFTER ` + op + ` ON ` + table + `
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ` + name + `()`)
	return func() { exec(`DROP TRIGGER ` + name + ` ON ` + table) }
}

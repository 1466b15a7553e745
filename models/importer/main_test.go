package importer_test

import (
	"testing"

	"quire/models/dbtest"
)

// Every test gets its own migrated database from one throwaway cluster.
func TestMain(m *testing.M) { dbtest.Main(m) }

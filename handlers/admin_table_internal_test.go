package handlers

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"quire/models"
)

// TestAdminTablesBuiltOnce: the admin tables, with their action closures,
// are built when the server is, and a request only looks its table up.
func TestAdminTablesBuiltOnce(t *testing.T) {
	s := New(Deps{Logger: slog.New(slog.DiscardHandler), Models: Models{Admin: &models.AdminModel{}}})
	c := s.NewContext(httptest.NewRequest(http.MethodGet, "/admin/users", nil), httptest.NewRecorder())
	c.SetParamNames("table")
	c.SetParamValues("users")
	c.Set(ctxUser, models.User{Role: models.RoleAdmin, State: models.StateActive})
	first, err := s.app.tableParam(c)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.app.tableParam(c)
	if err != nil {
		t.Fatal(err)
	}
	if first != again || first.Name != "users" || first.act["suspend"] == nil {
		t.Errorf("two lookups of /admin/users gave %p and %p: the table is rebuilt per request", first, again)
	}
	allocs := testing.AllocsPerRun(100, func() { _, _ = s.app.tableParam(c) })
	t.Logf("allocations per table lookup: %.0f", allocs)
	if allocs > 0 {
		t.Errorf("a table lookup allocates %.0f times; it should find the table built at New", allocs)
	}
	var names []string
	for _, tab := range s.app.adminTabs(c, "posts") {
		names = append(names, tab.Label)
	}
	if got := len(names); got != 11 || names[0] != "Dashboard" || names[2] != "Posts" || names[9] != "Settings" || names[10] != "Import" {
		t.Errorf("admin tabs: %v, want Dashboard, the eight tables in order, Settings and Import", names)
	}
}

package handlers_test

import (
	"reflect"
	"testing"

	"github.com/jmoiron/sqlx"

	"quire/handlers"
	"quire/models"
)

// TestNewModelsBuildsEveryModel: NewModels, which serve and the tests both
// use, builds every model the handlers have, each on the one database, so
// a model added to Models and forgotten in NewModels fails here rather than
// as a nil pointer in one of the two.
func TestNewModelsBuildsEveryModel(t *testing.T) {
	db := new(sqlx.DB) // never queried
	hasher := models.NewHasher(models.TestPasswordParams, 1)
	m := handlers.NewModels(db, hasher)
	v := reflect.ValueOf(m)
	for i := range v.NumField() {
		name, f := v.Type().Field(i).Name, v.Field(i)
		switch {
		case f.IsNil():
			t.Errorf("NewModels leaves %s nil", name)
		case f.Type() == reflect.TypeFor[*sqlx.DB]():
			if f.Interface() != db {
				t.Errorf("%s is not the database given", name)
			}
		case !f.Elem().FieldByName("DB").IsValid() || f.Elem().FieldByName("DB").Interface() != db:
			t.Errorf("%s is not on the database given", name)
		}
	}
	if m.Users == nil || m.Users.Hasher != hasher {
		t.Error("the users' model does not hash with the hasher given")
	}
}

package models

import "slices"

// BenchQuery is a statement the models run on a hot path, exported for
// cmd/quirebench, whose PostgreSQL ceiling replays the very SQL the app
// runs. Referring to these (not to the source) makes a renamed constant a
// compile error, and TestBenchQueries prepares and runs each one, so a
// broken statement fails `go test`, not the bench.
type BenchQuery struct {
	Name string // the constant's name, for messages
	SQL  string
}

// The statements the bench replays, with the methods that run them.
var (
	BenchChangeStamp   = benchQuery("changeStampSQL", changeStampSQL)     // PostModel.ChangeStamp
	BenchListPublished = benchQuery("listPublishedSQL", listPublishedSQL) // PostModel.ListPublished
	// BenchListPublishedFromOldest is the same, for a page past the middle.
	BenchListPublishedFromOldest = benchQuery("listPublishedSQL from the oldest end", listPublishedFromOldest) // PostModel.ListPublished
	BenchListByAuthor            = benchQuery("listByAuthorSQL", listByAuthorSQL)                              // PostModel.ListByAuthor
	BenchListByTag               = benchQuery("listByTagSQL", listByTagSQL)                                    // PostModel.ListByTag
	BenchListForFeed             = benchQuery("listForFeedSQL", listForFeedSQL)                                // PostModel.ListForFeed
	BenchResolveHead             = benchQuery("resolveHeadSQL", resolveHeadSQL)                                // PostModel.ResolveHead
	BenchGetPost                 = benchQuery("getPostSQL", getPostSQL)                                        // PostModel.Get
	BenchSearchCount             = benchQuery("searchCountSQL", searchCountSQL)                                // PostModel.Search
	BenchSearch                  = benchQuery("searchSQL", searchSQL)                                          // PostModel.Search
	BenchGetUser                 = benchQuery("getUserSQL", getUserSQL)                                        // UserModel.Get
	BenchGetUserByName           = benchQuery("getUserByUsernameSQL", getUserByUsernameSQL)                    // UserModel.GetByUsername
	BenchGetUserByLogin          = benchQuery("getUserByLoginSQL", getUserByLoginSQL)                          // UserModel.SignIn
	BenchRecordLogin             = benchQuery("recordLoginSQL", recordLoginSQL)                                // UserModel.SignIn
	BenchThrottleLock            = benchQuery("lockKeySQL", lockKeySQL)                                        // ThrottleModel.Reserve
	BenchThrottleCount           = benchQuery("throttleSQL", throttleSQL)                                      // ThrottleModel.Reserve
	BenchThrottleFail            = benchQuery("failSQL", failSQL)                                              // ThrottleModel.Reserve
	BenchResetFailures           = benchQuery("resetFailuresSQL", resetFailuresSQL)                            // UserModel.SignIn
)

var benchQueries []BenchQuery

func benchQuery(name, sql string) BenchQuery {
	q := BenchQuery{Name: name, SQL: sql}
	benchQueries = append(benchQueries, q)
	return q
}

// BenchQueries lists every BenchQuery, for the test that runs them all.
func BenchQueries() []BenchQuery { return slices.Clone(benchQueries) }

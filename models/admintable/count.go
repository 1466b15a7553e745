package admintable

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"
)

// DefaultExactCount is how many rows a list's count reads at most before
// its total becomes the planner's estimate, shown as "about N". An exact
// count of 85,000 matching posts read them all on every page view (69
// requests/s at 10,000 posts); big admin UIs say "about" instead.
const DefaultExactCount = 10_000

// exactCount is the table's bound on an exact count.
func (t *Table) exactCount() int {
	if t.ExactCount > 0 {
		return t.ExactCount
	}
	return DefaultExactCount
}

// count returns how many rows where matches: exact when the planner
// expects at most exactCount rows and a count capped there confirms it,
// else the planner's estimate (never below what was counted) with approx
// set. Asking the planner first costs no row read, so a filter matching
// most of a big table stays as cheap as one matching a few rows.
func (t *Table) count(ctx context.Context, db sqlx.QueryerContext, where string, args []any) (n int, approx bool, err error) {
	limit := t.exactCount()
	est, err := t.estimate(ctx, db, where, args)
	if err != nil {
		return 0, false, err
	}
	if est <= limit {
		query := "SELECT count(*) FROM (SELECT 1 FROM " + t.From + where + " LIMIT " + strconv.Itoa(limit+1) + ") s"
		if err := sqlx.GetContext(ctx, db, &n, query, args...); err != nil {
			return 0, false, fmt.Errorf("admintable %s: count: %w", t.Name, err)
		}
		if n <= limit {
			return n, false, nil
		}
	}
	return max(est, limit+1), true, nil
}

// estimate is the planner's row estimate for where.
func (t *Table) estimate(ctx context.Context, db sqlx.QueryerContext, where string, args []any) (int, error) {
	var plan []byte
	if err := sqlx.GetContext(ctx, db, &plan, "EXPLAIN (FORMAT JSON) SELECT 1 FROM "+t.From+where, args...); err != nil {
		return 0, fmt.Errorf("admintable %s: estimate: %w", t.Name, err)
	}
	var out []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := json.Unmarshal(plan, &out); err != nil || len(out) == 0 {
		return 0, fmt.Errorf("admintable %s: estimate: unreadable plan %q", t.Name, plan)
	}
	return int(out[0].Plan.Rows), nil
}

package telemetry

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// idTime is the layout audit IDs start with, so that an ID sorts by time.
const idTime = "20060102T150405.000000000Z"

// purgeBatch is how many records one purge transaction deletes, so that a
// large backlog never holds the writer for long.
const purgeBatch = 1000

// PurgeAudit deletes the audit records of decisions made before cutoff and
// returns how many it deleted. Usage totals are kept: there is one per
// principal and deployment, and they are what quota reviews read.
func (r *Recorder) PurgeAudit(ctx context.Context, cutoff time.Time) (int, error) {
	before := cutoff.UTC().Format(idTime)
	total := 0
	for {
		recs, err := r.st.List(ctx, store.Query{Kind: KindAudit, IDBefore: before, Limit: purgeBatch})
		if err != nil || len(recs) == 0 {
			return total, err
		}
		err = r.st.Update(ctx, func(tx store.Tx) error {
			for _, rec := range recs {
				if err := tx.Delete(ctx, KindAudit, rec.ID); err != nil && !store.IsNotFound(err) {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += len(recs)
		if len(recs) < purgeBatch {
			return total, nil
		}
	}
}

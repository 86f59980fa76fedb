package demo_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pdca/pdca/internal/demo"
	"github.com/pdca/pdca/internal/isms"
)

// TestEachChunkIsRecordsInPieces checks that generating in chunks gives the
// very records Records gives, in order, in chunks of the size asked.
func TestEachChunkIsRecordsInPieces(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(1, 0, 0)
	for _, spec := range isms.Kinds() {
		want := demo.Records(spec.Kind, 1003, start, end, rand.New(rand.NewPCG(1, 2)))
		var got []isms.Record
		var sizes []int
		err := demo.EachChunk(spec.Kind, 1003, 250, start, end, rand.New(rand.NewPCG(1, 2)), func(rs []isms.Record) error {
			sizes = append(sizes, len(rs))
			got = append(got, rs...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int{250, 250, 250, 250, 3}, sizes); diff != "" {
			t.Errorf("%s chunk sizes (-want +got):\n%s", spec.Kind, diff)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: chunks differ from Records (-want +got):\n%s", spec.Kind, diff)
		}
	}
}

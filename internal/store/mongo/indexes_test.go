package mongo

import (
	"context"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Reports read tally documents by survey, plan and round: without an index
// every read scans the whole collection.
func TestTalliesIndexed(t *testing.T) {
	s := instances(t, 1)[0]
	specs, err := s.tallies().Indexes().ListSpecifications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range specs {
		if spec.Name != "survey_fingerprint_round" {
			continue
		}
		var keys bson.D
		if err := bson.Unmarshal(spec.KeysDocument, &keys); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, k := range keys {
			names = append(names, k.Key)
		}
		if got := strings.Join(names, ","); got != "survey_id,fingerprint,round" {
			t.Errorf("index keys %s", got)
		}
		return
	}
	t.Errorf("no index survey_fingerprint_round on tallies: %v", specs)
}

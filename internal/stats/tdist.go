package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// The t and normal distributions the tests need, from gonum.

// tTwoSided returns P(|T| ≥ |t|) for Student's t with df degrees of freedom.
func tTwoSided(t, df float64) float64 {
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(math.Abs(t))
}

// tQuantile returns the p-quantile of Student's t with df degrees of
// freedom. It approaches the normal quantile (1.96 at 0.975) as df grows.
func tQuantile(p, df float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(p)
}

// normalTwoSided returns P(|Z| ≥ |z|) for a standard normal Z.
func normalTwoSided(z float64) float64 {
	return math.Erfc(math.Abs(z) / math.Sqrt2)
}
